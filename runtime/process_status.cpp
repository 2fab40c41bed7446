#include "runtime/process_status.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace plexichat::runtime {

std::optional<uint64_t> rss_kib_from_status(std::string_view status_text) {
  constexpr std::string_view key = "VmRSS:";
  std::size_t at = 0;
  while (at < status_text.size()) {
    auto end = status_text.find('\n', at);
    auto line = status_text.substr(at, end == std::string_view::npos ? end : end - at);
    at = end == std::string_view::npos ? status_text.size() : end + 1;
    if (line.substr(0, key.size()) != key) {
      continue;
    }
    auto rest = line.substr(key.size());
    std::size_t i = 0;
    while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) {
      ++i;
    }
    uint64_t value = 0;
    auto [p, ec] = std::from_chars(rest.data() + i, rest.data() + rest.size(), value);
    if (ec != std::errc{} || p == rest.data() + i) {
      return std::nullopt;
    }
    std::string_view unit{p, static_cast<std::size_t>(rest.data() + rest.size() - p)};
    if (unit.find("kB") == std::string_view::npos) {
      return std::nullopt;
    }
    return value;
  }
  return std::nullopt;
}

std::optional<uint64_t> own_rss_kib() {
  std::ifstream in{"/proc/self/status"};
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return rss_kib_from_status(text.str());
}

}  // namespace plexichat::runtime
