#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tools/plexichat-bench/bench_context.hpp"
#include "tools/plexichat-bench/ws_client.hpp"

namespace plexichat::bench {

/// A scenario's WebSocket clients: opens them with at most --parallel handshakes in
/// flight, counts what opened, what failed to and what dropped later, and keeps the first
/// error of each kind. Scenarios derive from it and handle frames. One thread.
class session_set : public ws_sink {
 public:
  explicit session_set(bench_context& ctx) : ctx_(ctx) {}
  ~session_set() override;

  /// Opens `count` more sessions (indices continue from the last ones), session i as
  /// token_of(i), subscribed to channel_of(i) when that is not empty. Runs the loop until
  /// every one opened or failed, or `deadline`; answers how many opened.
  size_t open(size_t count, const std::function<std::string(size_t)>& token_of,
              const std::function<std::string(size_t)>& channel_of,
              bench_clock::time_point deadline);
  void close_all();

  void on_open(ws_client& c) override;
  void on_failed(ws_client& c, const std::string& why) override;

  [[nodiscard]] size_t opened() const { return opened_; }
  [[nodiscard]] size_t open_failures() const { return open_failures_; }
  [[nodiscard]] size_t dropped() const { return dropped_; }
  [[nodiscard]] const std::string& first_open_error() const { return first_open_error_; }
  [[nodiscard]] const std::string& first_drop() const { return first_drop_; }

 protected:
  bench_context& ctx_;
  std::vector<std::shared_ptr<ws_client>> clients_;
  std::vector<char> is_open_;

 private:
  void start_next();

  std::function<std::string(size_t)> token_of_;
  std::function<std::string(size_t)> channel_of_;
  size_t next_ = 0;
  size_t in_flight_ = 0;
  size_t opened_ = 0;
  size_t open_failures_ = 0;
  size_t dropped_ = 0;
  std::string first_open_error_;
  std::string first_drop_;
};

}  // namespace plexichat::bench
