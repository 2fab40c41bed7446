#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace plexichat::config {

/// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128"; a bare address means that one host).
using cidr = std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6>;

/// Parses `text` with boost::asio::ip::make_network_v4/v6. Throws config_error for `key`
/// when it is not a network or has bits set after its prefix ("10.0.0.1/8").
cidr parse_cidr(std::string_view text, const std::string& key);

/// True when `address` lies in `network`. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
/// matched as the IPv4 address it carries.
bool contains(const cidr& network, const boost::asio::ip::address& address);

/// A client address filter built from net.allow and net.deny: an address passes when it
/// lies in no deny network, and in some allow network unless allow is empty.
class address_filter {
 public:
  address_filter() = default;
  /// Throws config_error (keys "net.allow[i]", "net.deny[i]") for a malformed entry.
  address_filter(const std::vector<std::string>& allow, const std::vector<std::string>& deny);

  bool permits(const boost::asio::ip::address& address) const;
  bool empty() const { return allow_.empty() && deny_.empty(); }

 private:
  std::vector<cidr> allow_;
  std::vector<cidr> deny_;
};

}  // namespace plexichat::config
