#include "config/host_port.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "config/config_error.hpp"

namespace plexichat::config {
namespace {

[[noreturn]] void fail(std::string_view what, const std::string& reason) {
  throw config_error(std::string(what), reason);
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

std::uint16_t parse_port(std::string_view digits, std::string_view what) {
  unsigned value = 0;
  const bool all_digits =
      !digits.empty() && digits.size() <= 5 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (all_digits) {
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
  }
  if (!all_digits || value > 65535) {
    fail(what, "port must be a number up to 65535, got " + quoted(digits));
  }
  return static_cast<std::uint16_t>(value);
}

host_port parse_bracketed(std::string_view text, std::string_view what) {
  const auto close = text.find(']');
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
    fail(what, "must be [IPV6]:PORT, got " + quoted(text));
  }
  const std::string host(text.substr(1, close - 1));
  in6_addr address{};
  if (inet_pton(AF_INET6, host.c_str(), &address) != 1) {
    fail(what, "not an IPv6 address inside brackets: " + quoted(host));
  }
  return host_port{host, parse_port(text.substr(close + 2), what)};
}

host_port parse_plain(std::string_view text, std::string_view what) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    fail(what, "must be HOST:PORT, got " + quoted(text));
  }
  const std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    fail(what, "an IPv6 address needs brackets, as in [::1]:8080; got " + quoted(text));
  }
  if (host.empty() || !std::all_of(host.begin(), host.end(), is_name_char)) {
    fail(what, "host must be a name or address of [A-Za-z0-9_.-], got " + quoted(text));
  }
  return host_port{std::string(host), parse_port(text.substr(colon + 1), what)};
}

}  // namespace

std::string host_port::to_string() const {
  const std::string port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + port_text;
  }
  return host + ":" + port_text;
}

host_port parse_host_port(std::string_view text, std::string_view what) {
  if (!text.empty() && text.front() == '[') {
    return parse_bracketed(text, what);
  }
  return parse_plain(text, what);
}

}  // namespace plexichat::config
