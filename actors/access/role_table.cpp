#include "actors/access/role_table.hpp"

namespace plexichat::actors::access {

std::string_view to_string(role r) {
  return r == role::admin ? "admin" : "user";
}

std::optional<role> parse_role(std::string_view text) {
  if (text == "admin") {
    return role::admin;
  }
  if (text == "user") {
    return role::user;
  }
  return std::nullopt;
}

role_table::role_table(const std::vector<std::pair<std::string, std::string>>& stored) {
  for (const auto& [id, name] : stored) {
    if (parse_role(name) == role::admin) {
      admins_.insert(id);
    }
  }
}

role role_table::of(std::string_view user_id) const {
  return admins_.count(std::string(user_id)) > 0 ? role::admin : role::user;
}

bool role_table::set(const std::string& user_id, role r) {
  if (r == role::admin) {
    return admins_.insert(user_id).second;
  }
  return admins_.erase(user_id) > 0;
}

}  // namespace plexichat::actors::access
