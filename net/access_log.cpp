#include "net/access_log.hpp"

#include <cstdio>

#include "runtime/crypto.hpp"

namespace plexichat::net {

std::string request_id(std::string_view client_value) {
  bool usable = !client_value.empty() && client_value.size() <= 64;
  for (char c : client_value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    usable = usable && ok;
  }
  return usable ? std::string(client_value) : runtime::to_hex(runtime::random_bytes(8));
}

std::string log_path(std::string_view target) {
  auto path = target.substr(0, target.find('?')).substr(0, 200);
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u <= 0x20 || u >= 0x7f || c == '"' || c == '\\' ? '?' : c);
  }
  return out.empty() ? "-" : out;
}

std::string access_line(const access_entry& e) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", e.ms);
  return "http request=" + std::string(e.request_id) +
         " actor=" + (e.actor == 0 ? std::string("-") : std::to_string(e.actor)) +
         " method=" + std::string(e.method.empty() ? "-" : e.method) +
         " path=" + std::string(e.path) + " status=" + std::to_string(e.status) + " ms=" + ms +
         " address=" + std::string(e.address);
}

}  // namespace plexichat::net
