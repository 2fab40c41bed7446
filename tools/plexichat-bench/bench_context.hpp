#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/plexichat-bench/bench_options.hpp"
#include "tools/plexichat-bench/http_pool.hpp"
#include "tools/plexichat-bench/node_process.hpp"
#include "tools/plexichat-bench/source_addresses.hpp"

namespace plexichat::bench {

using bench_clock = std::chrono::steady_clock;

/// Nanoseconds on the steady clock: the send stamps in message content.
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(bench_clock::now().time_since_epoch())
      .count();
}

inline bench_clock::time_point after_seconds(double s) {
  return bench_clock::now() +
         std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(s));
}

/// Everything a scenario shares: the one-thread event loop, the node's address and pid,
/// the client source addresses, the HTTP pool for setting up, and a run id that keeps this
/// run's usernames apart from every other run's.
class bench_context {
 public:
  bench_context(const bench_options& options, boost::asio::ip::tcp::endpoint node, int pid);
  ~bench_context();

  /// Runs the loop until `done()` or the deadline; answers `done()`.
  bool run_until(const std::function<bool()>& done, bench_clock::time_point deadline);
  /// The node's memory and CPU now, when its pid is known.
  [[nodiscard]] std::optional<process_sample> sample_node() const;

  /// Registers and logs in `count` users named PREFIX_RUNID_N; their tokens, or an error.
  [[nodiscard]] bool make_users(int count, const std::string& prefix,
                                std::vector<std::string>& tokens, std::string& error);
  /// Creates a public channel per creator token; their ids, or an error.
  [[nodiscard]] bool make_channels(const std::vector<std::string>& creators,
                                   const std::string& prefix, std::vector<std::string>& ids,
                                   std::string& error);
  /// `count` users (PREFIX_RUNID_N) in one public channel made by the first: their tokens
  /// and the channel's id, or an error.
  [[nodiscard]] bool make_room(int count, const std::string& prefix, const std::string& name,
                               std::vector<std::string>& tokens, std::string& channel,
                               std::string& error);
  /// Joins each (token, channel id) pair.
  [[nodiscard]] bool join_channels(const std::vector<std::pair<std::string, std::string>>& joins,
                                   std::string& error);

  boost::asio::io_context io{1};
  const bench_options& options;
  boost::asio::ip::tcp::endpoint node;
  /// Where WebSocket sessions connect, round-robin: node, then --spread's nodes.
  std::vector<boost::asio::ip::tcp::endpoint> ws_nodes;
  int pid;
  source_addresses sources;
  std::string run_id;
  std::unique_ptr<http_pool> http;

 private:
  bool wait_http(std::string& error, const std::string& what, const std::string& first_error,
                 const size_t& failures);
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
};

}  // namespace plexichat::bench
