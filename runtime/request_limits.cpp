#include "runtime/request_limits.hpp"

#include <algorithm>

namespace plexichat::runtime {

namespace {

std::unique_ptr<bucket_map> buckets(const config::rate_config& r, std::size_t capacity,
                                    const steady_clock_fn& clock) {
  if (r.rate == 0) {
    return nullptr;  // rate 0: this scope is not limited
  }
  return std::make_unique<bucket_map>(r.rate, r.burst, capacity, clock);
}

login_throttle_rules rules(const config::login_throttle_config& c,
                           const config::login_key_config& k, std::size_t capacity) {
  return {k.free_failures, k.lock_after, c.max_delay, c.lock, c.window, capacity};
}

}  // namespace

request_limits::request_limits(const config::node_config& cfg, node_metrics& metrics,
                               steady_clock_fn clock)
    : address_(buckets(cfg.rate_limits.address, cfg.rate_limits.max_tracked, clock)),
      user_(buckets(cfg.rate_limits.user, cfg.rate_limits.max_tracked, clock)),
      account_(rules(cfg.login_throttle, cfg.login_throttle.account, cfg.rate_limits.max_tracked),
               clock),
      login_address_(
          rules(cfg.login_throttle, cfg.login_throttle.address, cfg.rate_limits.max_tracked),
          clock),
      metrics_(metrics) {}

std::optional<long> request_limits::take_address(const std::string& address) {
  if (!address_) {
    return std::nullopt;
  }
  auto wait = address_->take(address);
  if (!wait) {
    return std::nullopt;
  }
  metrics_.rate_limited_in("address").Increment();
  return retry_after_seconds(*wait);
}

std::optional<long> request_limits::take_user(const std::string& user_id) {
  if (!user_) {
    return std::nullopt;
  }
  auto wait = user_->take(user_id);
  if (!wait) {
    return std::nullopt;
  }
  metrics_.rate_limited_in("user").Increment();
  return retry_after_seconds(*wait);
}

std::optional<long> request_limits::admit_login(const std::string& username,
                                                const std::string& address) {
  if (auto wait = account_.admit(username)) {
    metrics_.rate_limited_in("login_account").Increment();
    return retry_after_seconds(*wait);
  }
  if (auto wait = login_address_.admit(address)) {
    account_.abandoned(username);
    metrics_.rate_limited_in("login_address").Increment();
    return retry_after_seconds(*wait);
  }
  return std::nullopt;
}

void request_limits::finish_login(const std::string& username, const std::string& address,
                                  login_outcome outcome) {
  switch (outcome) {
    case login_outcome::succeeded:
      // Only the account starts afresh: logging into one's own account must not clear
      // the failures an address piled up against others.
      account_.succeeded(username);
      login_address_.abandoned(address);
      return;
    case login_outcome::failed:
      if (account_.failed(username)) {
        metrics_.login_locks.Increment();
      }
      if (login_address_.failed(address)) {
        metrics_.login_locks.Increment();
      }
      return;
    case login_outcome::other:
      account_.abandoned(username);
      login_address_.abandoned(address);
      return;
  }
}

}  // namespace plexichat::runtime
