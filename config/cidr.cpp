#include "config/cidr.hpp"

#include <algorithm>

#include "config/config_error.hpp"

namespace plexichat::config {

namespace ip = boost::asio::ip;

namespace {

template <typename Network>
Network checked(const Network& net, std::string_view text, const std::string& key) {
  if (net.network() != net.address()) {
    throw config_error(key, "'" + std::string(text) + "' has host bits set after the /" +
                                std::to_string(net.prefix_length()) + " prefix; did you mean " +
                                net.canonical().to_string() + "?");
  }
  return net;
}

cidr parse_network(const std::string& text, const std::string& key) {
  boost::system::error_code ec;
  if (text.find(':') == std::string::npos) {
    auto net = ip::make_network_v4(text, ec);
    if (!ec) {
      return checked(net, text, key);
    }
  } else {
    auto net = ip::make_network_v6(text, ec);
    if (!ec) {
      return checked(net, text, key);
    }
  }
  throw config_error(key, "'" + text +
                              "' is not an IPv4 or IPv6 network in CIDR notation, e.g. "
                              "10.0.0.0/8 or fd00::/8");
}

bool in_v6(const ip::network_v6& net, const ip::address_v6& a) {
  const auto want = net.network().to_bytes();
  const auto got = a.to_bytes();
  const unsigned bits = net.prefix_length();
  for (unsigned i = 0; i < 16 && i * 8 < bits; ++i) {
    const unsigned left = bits - i * 8;
    const unsigned mask = left >= 8 ? 0xFFu : (0xFFu << (8 - left)) & 0xFFu;
    if ((want[i] & mask) != (got[i] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

cidr parse_cidr(std::string_view text, const std::string& key) {
  std::string s(text);
  if (s.find('/') == std::string::npos) {
    // A bare address is the one-host network.
    s += s.find(':') == std::string::npos ? "/32" : "/128";
  }
  return parse_network(s, key);
}

bool contains(const cidr& network, const ip::address& address) {
  ip::address a = address;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  if (const auto* v4 = std::get_if<ip::network_v4>(&network)) {
    if (!a.is_v4()) {
      return false;
    }
    const uint32_t mask = v4->netmask().to_uint();
    return (a.to_v4().to_uint() & mask) == v4->network().to_uint();
  }
  return a.is_v6() && in_v6(std::get<ip::network_v6>(network), a.to_v6());
}

address_filter::address_filter(const std::vector<std::string>& allow,
                               const std::vector<std::string>& deny) {
  for (std::size_t i = 0; i < allow.size(); ++i) {
    allow_.push_back(parse_cidr(allow[i], "net.allow[" + std::to_string(i) + "]"));
  }
  for (std::size_t i = 0; i < deny.size(); ++i) {
    deny_.push_back(parse_cidr(deny[i], "net.deny[" + std::to_string(i) + "]"));
  }
}

bool address_filter::permits(const ip::address& address) const {
  auto in = [&](const cidr& n) { return contains(n, address); };
  if (std::any_of(deny_.begin(), deny_.end(), in)) {
    return false;
  }
  return allow_.empty() || std::any_of(allow_.begin(), allow_.end(), in);
}

}  // namespace plexichat::config
