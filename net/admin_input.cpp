#include "net/admin_input.hpp"

#include "net/field_checks.hpp"

namespace plexichat::net::admin_input {

namespace {

using actors::api_errc;
using actors::api_error;
using actors::session::rest_call;
using actors::session::rest_route;

std::optional<api_error> read_after(std::string_view value, rest_call& c) {
  if (c.route == rest_route::admin_list_users) {
    if (!fields::is_valid_id(value)) {
      return fields::invalid("after must be a user id (the previous page's next_cursor)");
    }
    c.cursor = std::string{value};
    return std::nullopt;
  }
  uint64_t v = 0;
  if (auto e = fields::read_uint("after", value, v)) {
    return e;
  }
  c.after = v;
  return std::nullopt;
}

}  // namespace

std::optional<rest_route> admin_route(const std::vector<std::string_view>& p, std::string& user_id,
                                      std::string& backup_id) {
  auto n = p.size();
  if (n == 2 && p[1] == "users") {
    return rest_route::admin_list_users;
  }
  if (n == 2 && p[1] == "audit") {
    return rest_route::admin_audit;
  }
  if (n == 3 && p[1] == "audit" && p[2] == "verify") {
    return rest_route::admin_audit_verify;
  }
  if (n == 2 && p[1] == "backups") {
    return rest_route::admin_backups;
  }
  if (n == 4 && p[1] == "backups" && (p[3] == "verify" || p[3] == "repair")) {
    backup_id = p[2] == "latest" ? std::string{} : std::string{p[2]};
    return p[3] == "verify" ? rest_route::admin_backup_verify : rest_route::admin_backup_repair;
  }
  if (n == 4 && p[1] == "users" && p[3] == "role") {
    user_id = std::string{p[2]};
    return rest_route::admin_set_role;
  }
  return std::nullopt;
}

std::optional<api_error> parse_query(std::string_view query, rest_call& c) {
  c.limit = default_limit;
  return fields::for_each_query_pair(
      query, [&c](std::string_view key, std::string_view value) -> std::optional<api_error> {
        if (key == "after") {
          return read_after(value, c);
        }
        if (key == "limit") {
          uint64_t v = 0;
          if (fields::read_uint("limit", value, v) || v < 1 || v > max_limit) {
            return fields::invalid("limit must be between 1 and " + std::to_string(max_limit));
          }
          c.limit = static_cast<uint32_t>(v);
        }
        return std::nullopt;
      });
}

std::optional<api_error> read_role(const nlohmann::json& b, rest_call& c) {
  if (auto e = fields::get_string(b, "role", c.role)) {
    return e;
  }
  if (c.role != "admin" && c.role != "user") {
    return fields::invalid("role must be \"admin\" or \"user\"");
  }
  return std::nullopt;
}

std::optional<api_error> read_patch(const nlohmann::json& b, rest_call& c,
                                    const config::limits_config& limits) {
  c.set_name = b.contains("name") && !b["name"].is_null();
  c.set_topic = b.contains("topic") && !b["topic"].is_null();
  if (!c.set_name && !c.set_topic) {
    return fields::invalid("give \"name\", \"topic\" or both");
  }
  if (c.set_name) {
    if (auto e = fields::get_string(b, "name", c.name)) {
      return e;
    }
    if (auto e = fields::check_text("name", c.name, 1, limits.max_channel_name_chars, false)) {
      return e;
    }
  }
  if (c.set_topic) {
    if (auto e = fields::get_string(b, "topic", c.topic)) {
      return e;
    }
    return fields::check_text("topic", c.topic, 0, limits.max_topic_chars, false);
  }
  return std::nullopt;
}

}  // namespace plexichat::net::admin_input
