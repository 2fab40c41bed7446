#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plexichat::config {

/// A listening or peer address. `host` is a name or an IP address, IPv6 without brackets.
struct host_port {
  std::string host;
  std::uint16_t port = 0;

  /// "HOST:PORT", with brackets around an IPv6 host ("[::1]:8080"); parse_host_port reads it back.
  std::string to_string() const;

  bool operator==(const host_port&) const = default;
};

/// Parses "HOST:PORT" or "[IPV6]:PORT". HOST is a name or IPv4 address of [A-Za-z0-9_.-];
/// an IPv6 address must be bracketed. PORT is decimal 0..65535 (validate() rejects 0 in a
/// node's config). Throws config_error with key `what` (e.g. "listen", "--seeds") saying why.
host_port parse_host_port(std::string_view text, std::string_view what);

}  // namespace plexichat::config
