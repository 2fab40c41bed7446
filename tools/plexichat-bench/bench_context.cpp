#include "tools/plexichat-bench/bench_context.hpp"

#include <nlohmann/json.hpp>
#include <random>

namespace plexichat::bench {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

constexpr const char* password = "load-test-password";

std::string random_run_id() {
  std::random_device rd;
  std::mt19937_64 g{(uint64_t{rd()} << 32) ^ rd()};
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id;
  for (int i = 0; i < 6; ++i) {
    id.push_back(digits[g() % 36]);
  }
  return id;
}

std::string describe(const http_answer& a) {
  if (!a.status) {
    return a.error;
  }
  return "HTTP " + std::to_string(a.status) + " " + a.body.substr(0, 200);
}

// The string at `path` in a JSON body, or empty.
std::string string_at(const std::string& body, std::initializer_list<const char*> path) {
  auto j = json::parse(body, nullptr, false);
  const json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) {
      return {};
    }
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : std::string{};
}

}  // namespace

bench_context::bench_context(const bench_options& o, boost::asio::ip::tcp::endpoint n, int p)
    : options(o),
      node(std::move(n)),
      ws_nodes{node},
      pid(p),
      sources(o.node.sources),
      run_id(random_run_id()),
      http(std::make_unique<http_pool>(io, node, sources, o.node.http_parallel)),
      work_(io.get_executor()) {}

bench_context::~bench_context() {
  http->close();
}

bool bench_context::run_until(const std::function<bool()>& done, bench_clock::time_point deadline) {
  while (!done()) {
    auto now = bench_clock::now();
    if (now >= deadline) {
      return false;
    }
    // Checking done() and the clock after every handler would cost more than the handlers at
    // hundreds of thousands of frames a second (io.run_for reads the clock after each): run
    // what is ready, up to a bound, and wait only when nothing is.
    size_t ran = 0;
    while (ran < 1024 && io.poll_one() > 0) {
      ++ran;
    }
    if (ran == 0) {
      io.run_one_for(std::min<bench_clock::duration>(deadline - now, std::chrono::milliseconds(5)));
    }
  }
  return true;
}

std::optional<process_sample> bench_context::sample_node() const {
  return pid > 0 ? sample_process(pid) : std::nullopt;
}

bool bench_context::wait_http(std::string& error, const std::string& what,
                              const std::string& first_error, const size_t& failures) {
  bool drained =
      run_until([&] { return http->pending() == 0; }, after_seconds(options.node.setup_timeout));
  if (!drained) {
    error = what + ": not done within --setup-timeout";
    return false;
  }
  if (failures) {
    error = what + ": " + std::to_string(failures) + " failed (first: " + first_error + ")";
    return false;
  }
  return true;
}

bool bench_context::make_users(int count, const std::string& prefix,
                               std::vector<std::string>& tokens, std::string& error) {
  tokens.assign(static_cast<size_t>(count), {});
  size_t failures = 0;
  std::string first;
  auto fail = [&](const std::string& why) {
    if (!failures++) {
      first = why;
    }
  };
  for (int i = 0; i < count; ++i) {
    std::string name = prefix + "_" + run_id + "_" + std::to_string(i);
    std::string body = json{{"username", name}, {"password", password}}.dump();
    auto login = [this, body, &tokens, &fail, i](http_answer&& a) {
      if (a.status != 201) {
        return fail("register: " + describe(a));
      }
      http->submit(
          {http::verb::post, "/api/v1/auth/login", body, {}, [&tokens, &fail, i](http_answer&& a) {
             tokens[static_cast<size_t>(i)] = string_at(a.body, {"token"});
             if (a.status != 200 || tokens[static_cast<size_t>(i)].empty()) {
               fail("login: " + describe(a));
             }
           }});
    };
    http->submit({http::verb::post, "/api/v1/auth/register", body, {}, login});
  }
  return wait_http(error, "setting up " + std::to_string(count) + " users", first, failures);
}

bool bench_context::make_channels(const std::vector<std::string>& creators,
                                  const std::string& prefix, std::vector<std::string>& ids,
                                  std::string& error) {
  ids.assign(creators.size(), {});
  size_t failures = 0;
  std::string first;
  for (size_t i = 0; i < creators.size(); ++i) {
    std::string body = json{{"name", prefix + "-" + run_id + "-" + std::to_string(i)}}.dump();
    http->submit({http::verb::post, "/api/v1/channels", body, creators[i], [&, i](http_answer&& a) {
                    ids[i] = string_at(a.body, {"channel", "id"});
                    if ((a.status != 201 || ids[i].empty()) && !failures++) {
                      first = describe(a);
                    }
                  }});
  }
  return wait_http(error, "creating channels", first, failures);
}

bool bench_context::make_room(int count, const std::string& prefix, const std::string& name,
                              std::vector<std::string>& tokens, std::string& channel,
                              std::string& error) {
  std::vector<std::string> ids;
  if (!make_users(count, prefix, tokens, error) || !make_channels({tokens[0]}, name, ids, error)) {
    return false;
  }
  channel = ids[0];
  std::vector<std::pair<std::string, std::string>> joins;
  for (size_t u = 1; u < tokens.size(); ++u) {
    joins.emplace_back(tokens[u], channel);
  }
  return join_channels(joins, error);
}

bool bench_context::join_channels(const std::vector<std::pair<std::string, std::string>>& joins,
                                  std::string& error) {
  size_t failures = 0;
  std::string first;
  for (const auto& [token, channel] : joins) {
    http->submit({http::verb::post, "/api/v1/channels/" + channel + "/members", "{}", token,
                  [&](http_answer&& a) {
                    if (a.status != 204 && !failures++) {
                      first = describe(a);
                    }
                  }});
  }
  return wait_http(error, "joining channels", first, failures);
}

}  // namespace plexichat::bench
