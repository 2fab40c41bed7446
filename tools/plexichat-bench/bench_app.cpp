#include "tools/plexichat-bench/bench_app.hpp"

#include <boost/asio/ip/address.hpp>
#include <iostream>

#include "tools/plexichat-bench/bench_context.hpp"
#include "tools/plexichat-bench/idle_capacity.hpp"
#include "tools/plexichat-bench/traffic.hpp"

namespace plexichat::bench {
namespace {

using tcp = boost::asio::ip::tcp;

std::optional<tcp::endpoint> parse_endpoint(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host_port.substr(0, colon), ec);
  int port = std::atoi(host_port.c_str() + colon + 1);
  if (ec || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  return tcp::endpoint{address, static_cast<unsigned short>(port)};
}

// Connections the scenario opens, for the open-file limit and a started node's limit.
size_t connections_wanted(const bench_options& o) {
  const auto& r = o.run;
  size_t sessions = 0;
  if (o.scenario == "fanout") {
    sessions = static_cast<size_t>(r.subscribers) + 1;
  } else if (o.scenario == "rooms") {
    sessions = static_cast<size_t>(r.channels) * static_cast<size_t>(r.members);
  } else if (o.scenario == "durable") {
    sessions = static_cast<size_t>(r.senders);
  } else if (o.scenario == "idle") {
    sessions = static_cast<size_t>(r.sessions);
  } else {
    sessions = static_cast<size_t>(r.max_clients) + static_cast<size_t>(r.broadcasters);
  }
  return sessions + static_cast<size_t>(o.node.http_parallel);
}

bool wait_ready(bench_context& ctx, own_node* own, std::string& error) {
  auto deadline = after_seconds(60);
  while (bench_clock::now() < deadline) {
    if (own && own->exited()) {
      error = "the node exited at start; its log:\n" + own->log_tail(2000);
      return false;
    }
    unsigned status = 0;
    bool answered = false;
    ctx.http->submit({boost::beast::http::verb::get, "/readyz", {}, {}, [&](http_answer&& a) {
                        status = a.status;
                        answered = true;
                      }});
    ctx.run_until([&] { return answered; }, after_seconds(35));
    if (status == 200) {
      return true;
    }
    ctx.run_until([] { return false; }, after_seconds(0.1));
  }
  error = "the node did not answer /readyz with 200 within 60 s";
  return false;
}

bench_report run_scenario(bench_context& ctx) {
  const auto& s = ctx.options.scenario;
  if (s == "fanout") {
    return run_fanout(ctx);
  }
  if (s == "rooms") {
    return run_rooms(ctx);
  }
  if (s == "durable") {
    return run_durable(ctx);
  }
  if (s == "idle") {
    return run_idle(ctx);
  }
  return run_capacity(ctx);
}

int run(const bench_options& o) {
  size_t wanted = connections_wanted(o);
  uint64_t nofile = raise_open_file_limit();
  if (nofile < wanted + 64) {
    std::cerr << "warning: RLIMIT_NOFILE is " << nofile << ", below the " << wanted + 64
              << " descriptors this run wants\n";
  }
  own_node own;
  std::optional<tcp::endpoint> node;
  int pid = o.node.pid;
  if (!o.node.node_binary.empty()) {
    if (auto e = own.start(o.node.node_binary, static_cast<int>(wanted + 1000), o.node.node_cpus,
                           o.node.node_yaml)) {
      std::cerr << "plexichat-bench: " << *e << "\n";
      return 1;
    }
    node = tcp::endpoint{boost::asio::ip::address_v4::loopback(),
                         static_cast<unsigned short>(own.port())};
    pid = own.pid();
  } else if (!(node = parse_endpoint(o.node.node))) {
    std::cerr << "plexichat-bench: --node must be IP:PORT, not " << o.node.node << "\n";
    return 2;
  }
  std::vector<tcp::endpoint> ws_nodes{*node};
  for (const auto& s : o.node.spread) {
    auto e = parse_endpoint(s);
    if (!e) {
      std::cerr << "plexichat-bench: --spread takes IP:PORT, not " << s << "\n";
      return 2;
    }
    ws_nodes.push_back(*e);
  }
  bench_report report(o.scenario);
  {
    bench_context ctx(o, *node, pid);
    ctx.ws_nodes = std::move(ws_nodes);
    std::string error;
    if (wait_ready(ctx, o.node.node_binary.empty() ? nullptr : &own, error)) {
      report = run_scenario(ctx);
    } else {
      report.problem(error);
    }
  }
  if (!o.node.node_binary.empty()) {
    int code = own.stop();
    if (code != 0) {
      report.problem("the node exited with " + std::to_string(code) + " after SIGTERM");
    }
  }
  if (o.json) {
    std::cout << report.to_json().dump() << std::endl;
  } else {
    report.print_table(std::cout);
  }
  return report.ok() ? 0 : 1;
}

}  // namespace

int run_bench(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto parsed = parse_bench_options(args);
  if (!parsed.ok) {
    (parsed.exit_code ? std::cerr : std::cout) << parsed.output;
    return parsed.exit_code;
  }
  return run(parsed.options);
}

}  // namespace plexichat::bench
