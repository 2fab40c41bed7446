#pragma once

#include <functional>
#include <string>
#include <vector>

namespace plexichat::runtime {

/// Records each service's stop as the service starts, and runs them in reverse order
/// (Redpanda's application shutdown). Owned by main(); not thread-safe.
class stop_sequence {
 public:
  stop_sequence() = default;
  stop_sequence(const stop_sequence&) = delete;
  stop_sequence& operator=(const stop_sequence&) = delete;
  ~stop_sequence() { run(); }

  /// Adds the stop of a service that has just started.
  void push(std::string name, std::function<void()> stop) {
    stops_.push_back({std::move(name), std::move(stop)});
  }

  /// Runs every recorded stop, newest first. Idempotent.
  void run();

 private:
  struct entry {
    std::string name;
    std::function<void()> stop;
  };
  std::vector<entry> stops_;
};

}  // namespace plexichat::runtime
