#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace plexichat::config {

/// Client TLS. YAML section `tls`. Both paths set: the client listener serves HTTPS and WSS
/// only (TLS 1.2 and 1.3). Both empty: plain HTTP and WS.
struct tls_config {
  std::string certificate;  ///< PEM certificate chain, the server's certificate first
  std::string key;          ///< PEM private key of that certificate

  bool enabled() const { return !certificate.empty(); }
  bool operator==(const tls_config&) const = default;
};

/// Client addresses. YAML section `net`. Entries are CIDR networks or bare addresses.
struct net_access_config {
  std::vector<std::string> allow;  ///< empty = every address not denied
  std::vector<std::string> deny;   ///< wins over allow

  bool operator==(const net_access_config&) const = default;
};

/// One token bucket: `rate` tokens a second, at most `burst` saved up. rate 0 = no limit.
struct rate_config {
  unsigned rate = 100;
  unsigned burst = 1000;

  bool operator==(const rate_config&) const = default;
};

/// Request rates. YAML section `rate_limits`.
struct rate_limits_config {
  rate_config address;               ///< REST requests per client address
  rate_config user;                  ///< REST requests per authenticated user
  rate_config ws_frames;             ///< frames per WebSocket session, else close 4008
  std::size_t max_tracked = 100000;  ///< addresses, users, login keys tracked at most (each)

  bool operator==(const rate_limits_config&) const = default;
};

/// Failed-login limits for one kind of key.
struct login_key_config {
  unsigned free_failures = 5;  ///< failures before the growing delay
  unsigned lock_after = 10;    ///< failures that lock the key

  bool operator==(const login_key_config&) const = default;
};

/// Brute-force protection of POST /api/v1/auth/login. YAML section `login_throttle`.
struct login_throttle_config {
  login_key_config account;                    ///< per username, known or not
  login_key_config address{20, 100};           ///< per client address
  std::chrono::milliseconds max_delay{60000};  ///< cap of the 1s, 2s, 4s, ... delay
  std::chrono::milliseconds lock{900000};      ///< how long a lock lasts
  std::chrono::milliseconds window{900000};    ///< quiet time that forgets failures

  bool operator==(const login_throttle_config&) const = default;
};

struct node_config;

/// Checks tls, net, rate_limits and login_throttle (called by validate()). Throws
/// config_error naming the key, e.g. "config: net.deny[0]: '10.0.0.300/8' is not ...".
void validate_security(const node_config& cfg);

}  // namespace plexichat::config
