#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/node_config.hpp"
#include "runtime/login_throttle.hpp"
#include "runtime/metrics.hpp"
#include "runtime/token_bucket.hpp"

namespace plexichat::runtime {

/// How an admitted login attempt ended.
enum class login_outcome { succeeded, failed, other };

/// The node's request limits (config sections rate_limits and login_throttle): REST
/// requests per client address and per user, and failed logins per username and per
/// address. Answers are waits in whole seconds for Retry-After; every refusal and lock is
/// counted in the metrics. Thread-safe: the I/O threads and the actors call it directly.
class request_limits {
 public:
  request_limits(const config::node_config& cfg, node_metrics& metrics,
                 steady_clock_fn clock = std::chrono::steady_clock::now);

  /// One REST request from `address`: nullopt when allowed, else Retry-After seconds.
  std::optional<long> take_address(const std::string& address);
  /// One REST request of an authenticated user: nullopt when allowed, else Retry-After.
  std::optional<long> take_user(const std::string& user_id);

  /// Admits a login attempt for `username` (known or not: they count alike) from `address`,
  /// or says how many seconds to wait. An admitted attempt must be finished exactly once.
  std::optional<long> admit_login(const std::string& username, const std::string& address);
  /// Records how an admitted attempt ended; a success clears the username's failures.
  void finish_login(const std::string& username, const std::string& address, login_outcome outcome);

 private:
  std::unique_ptr<bucket_map> address_;  ///< null when rate_limits.address.rate is 0
  std::unique_ptr<bucket_map> user_;
  login_throttle account_;
  login_throttle login_address_;
  node_metrics& metrics_;
};

}  // namespace plexichat::runtime
