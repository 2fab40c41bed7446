#include "tools/plexichat-bench/bench_options.hpp"

#include <CLI/CLI.hpp>

namespace plexichat::bench {
namespace {

void add_node_options(CLI::App& app, bench_options& o) {
  app.add_option("--node", o.node.node, "HOST:PORT of a running node")->capture_default_str();
  app.add_option("--spread", o.node.spread,
                 "HOST:PORT of more nodes of --node's cluster: WebSocket sessions go "
                 "round-robin over --node and these (set-up goes through --node)")
      ->delimiter(',');
  app.add_option("--node-binary", o.node.node_binary,
                 "start this plexichat-node on a free loopback port instead");
  app.add_option("--node-cpus", o.node.node_cpus,
                 "CPUs for the node --node-binary starts, e.g. 1 (the tool's own: taskset)")
      ->delimiter(',')
      ->check(CLI::Range(0, 1023));
  app.add_option("--node-yaml", o.node.node_yaml,
                 "more of the config of the node --node-binary starts, as YAML, e.g. "
                 "'channels: {fan_out_max_hold: 0ms}' (not data_dir, listen, limits, auth or "
                 "rate_limits, which the tool sets)");
  app.add_option("--pid", o.node.pid, "pid of the node given with --node (memory, CPU)")
      ->check(CLI::Range(1, 1 << 30));
  app.add_option("--sources", o.node.sources, "client addresses: 127.0.0.2 and up")
      ->check(CLI::Range(1, 253))
      ->capture_default_str();
  app.add_option("--http-parallel", o.node.http_parallel, "HTTP connections for set-up")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--parallel", o.node.parallel, "WebSocket sessions opened at once")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--setup-timeout", o.node.setup_timeout, "seconds allowed for set-up")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  app.add_flag("--json", o.json, "print one JSON object instead of a table");
}

CLI::Option* add_duration(CLI::App* s, scenario_options& r) {
  return s->add_option("--duration", r.duration, "seconds of sending")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
}

void add_sending(CLI::App* s, scenario_options& r, bool with_rate) {
  add_duration(s, r);
  if (with_rate) {
    s->add_option("--rate", r.rate, "messages a second per sender, 0: as fast as acks allow")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
  }
  s->add_option("--window", r.window, "unanswered sends per sender")->check(CLI::Range(1, 100000));
  s->add_option("--size", r.size, "message content in bytes")
      ->check(CLI::Range(24, 4000))
      ->capture_default_str();
  s->add_option("--users", r.users, "users the sessions are spread over")
      ->check(CLI::Range(1, 1000000));
}

void add_scenarios(CLI::App& app, scenario_options& r) {
  auto* fanout = app.add_subcommand("fanout", "S subscribers in one channel, one sender");
  fanout->add_option("--subscribers", r.subscribers)
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  add_sending(fanout, r, true);
  fanout->add_option("--drain", r.drain, "seconds to wait for deliveries after the last ack")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();

  auto* rooms = app.add_subcommand("rooms", "C channels of M members, each member sending");
  rooms->add_option("--channels", r.channels)->check(CLI::Range(1, 100000))->capture_default_str();
  rooms->add_option("--members", r.members)->check(CLI::Range(1, 100000))->capture_default_str();
  add_sending(rooms, r, true);
  rooms->add_option("--drain", r.drain)->check(CLI::Range(0.0, 600.0))->capture_default_str();

  auto* idle = app.add_subcommand("idle", "N idle, authenticated, subscribed sessions");
  idle->add_option("--sessions", r.sessions)->check(CLI::Range(1, 1000000))->capture_default_str();
  idle->add_option("--users", r.users, "users the sessions are spread over")
      ->check(CLI::Range(1, 1000000));
  idle->add_option("--settle", r.settle, "seconds before reading the node's memory")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();

  auto* durable = app.add_subcommand("durable", "N senders: acknowledged messages a second");
  durable->add_option("--senders", r.senders)->check(CLI::Range(1, 100000))->capture_default_str();
  durable->add_flag("--one-channel", r.one_channel, "all senders into one channel");
  add_sending(durable, r, true);

  auto* capacity = app.add_subcommand("capacity", "broadcast capacity, websocket-shootout style");
  capacity->add_option("--step", r.step)->check(CLI::Range(1, 100000))->capture_default_str();
  capacity->add_option("--broadcasters", r.broadcasters)
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  capacity->add_option("--samples", r.samples, "broadcasts per broadcaster per step")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  capacity->add_option("--max-clients", r.max_clients)
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  capacity->add_option("--max-time", r.max_time, "seconds for the whole run")
      ->check(CLI::Range(1.0, 7200.0))
      ->capture_default_str();
  capacity->add_option("--threshold-ms", r.threshold_ms, "stop once p95 passes this")
      ->check(CLI::Range(1.0, 60000.0))
      ->capture_default_str();
  capacity->add_option("--size", r.size)->check(CLI::Range(24, 4000))->capture_default_str();
  capacity->add_option("--users", r.users)->check(CLI::Range(1, 1000000));
}

// Defaults that differ by scenario, for options not given.
void apply_defaults(bench_options& o) {
  auto& r = o.run;
  if (o.scenario == "fanout") {
    r.window = r.window ? r.window : 64;
    r.users = r.users ? r.users : std::min(r.subscribers, 1000);
  } else if (o.scenario == "rooms") {
    r.window = r.window ? r.window : 8;
    r.rate = r.rate > 0 ? r.rate : 10;
    r.users = r.users ? r.users : std::min(r.channels * r.members, 1000);
  } else if (o.scenario == "durable") {
    r.window = r.window ? r.window : 8;
    r.users = r.users ? r.users : r.senders;
  } else {
    r.window = 1;
    r.users = r.users ? r.users : 100;
  }
}

}  // namespace

parse_outcome parse_bench_options(const std::vector<std::string>& args) {
  parse_outcome out;
  CLI::App app{"plexichat-bench: load scenarios against a PlexiChat node"};
  app.require_subcommand(1);
  add_node_options(app, out.options);
  add_scenarios(app, out.options.run);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream text, errors;
    // CLI11's own codes vary by error; this tool's bad command line is always 2.
    out.exit_code = app.exit(e, text, errors) == 0 ? 0 : 2;
    out.output = text.str() + errors.str();
    return out;
  }
  out.options.scenario = app.get_subcommands().front()->get_name();
  if (!out.options.node.node_binary.empty() && out.options.node.pid) {
    out.exit_code = 2;
    out.output = "--pid belongs to --node; a node started with --node-binary is measured anyway\n";
    return out;
  }
  if (!out.options.node.spread.empty() && !out.options.node.node_binary.empty()) {
    out.exit_code = 2;
    out.output = "--spread belongs to --node: the node --node-binary starts is alone\n";
    return out;
  }
  if (!out.options.node.node_cpus.empty() && out.options.node.node_binary.empty()) {
    out.exit_code = 2;
    out.output = "--node-cpus belongs to --node-binary\n";
    return out;
  }
  if (!out.options.node.node_yaml.empty() && out.options.node.node_binary.empty()) {
    out.exit_code = 2;
    out.output = "--node-yaml belongs to --node-binary\n";
    return out;
  }
  apply_defaults(out.options);
  out.ok = true;
  return out;
}

}  // namespace plexichat::bench
