// validate_security(): client TLS, address lists, rate limits and the login throttle.
#include <string>

#include "config/cidr.hpp"
#include "config/node_config.hpp"
#include "config/units.hpp"

namespace plexichat::config {
namespace {

constexpr unsigned max_rate = 1000000;

void in_range(const std::string& key, std::size_t value, std::size_t low, std::size_t high) {
  if (value < low || value > high) {
    throw config_error(key, "must be between " + std::to_string(low) + " and " +
                                std::to_string(high) + ", got " + std::to_string(value));
  }
}

void in_range(const std::string& key, std::chrono::milliseconds value,
              std::chrono::milliseconds low, std::chrono::milliseconds high) {
  if (value < low || value > high) {
    throw config_error(key, "must be between " + format_duration(low) + " and " +
                                format_duration(high) + ", got " + format_duration(value));
  }
}

void check_tls(const tls_config& tls) {
  if (tls.certificate.empty() != tls.key.empty()) {
    throw config_error(tls.certificate.empty() ? "tls.certificate" : "tls.key",
                       "must be set together with " +
                           std::string(tls.certificate.empty() ? "tls.key" : "tls.certificate") +
                           " (both PEM file paths), or both left empty for plain HTTP");
  }
}

void check_rate(const std::string& key, const rate_config& r) {
  in_range(key + ".rate", r.rate, 0, max_rate);
  in_range(key + ".burst", r.burst, 1, max_rate);
}

void check_login_key(const std::string& key, const login_key_config& k) {
  in_range(key + ".free_failures", k.free_failures, 1, 100000);
  in_range(key + ".lock_after", k.lock_after, 1, 100000);
}

}  // namespace

void validate_security(const node_config& cfg) {
  check_tls(cfg.tls);
  // Parsing is the check: it throws for the first malformed entry, naming it.
  (void)address_filter(cfg.net.allow, cfg.net.deny);
  check_rate("rate_limits.address", cfg.rate_limits.address);
  check_rate("rate_limits.user", cfg.rate_limits.user);
  check_rate("rate_limits.ws_frames", cfg.rate_limits.ws_frames);
  in_range("rate_limits.max_tracked", cfg.rate_limits.max_tracked, 16, 10000000);
  const auto& lt = cfg.login_throttle;
  check_login_key("login_throttle.account", lt.account);
  check_login_key("login_throttle.address", lt.address);
  using std::chrono::hours;
  using std::chrono::seconds;
  in_range("login_throttle.max_delay", lt.max_delay, seconds(1), hours(24));
  in_range("login_throttle.lock", lt.lock, seconds(1), hours(24 * 7));
  in_range("login_throttle.window", lt.window, seconds(1), hours(24 * 7));
}

}  // namespace plexichat::config
