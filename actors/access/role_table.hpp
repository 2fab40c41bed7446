#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace plexichat::actors::access {

/// A node role. Users are `user` unless granted `admin` (by the config's auth.admins, an
/// admin over HTTP, or the operator offline); the first signup gets nothing special.
enum class role { user, admin };

/// "user" or "admin".
std::string_view to_string(role r);
/// nullopt for anything but "user" and "admin".
std::optional<role> parse_role(std::string_view text);

/// The node's admins, in memory. Owned by the access actor; not thread-safe.
class role_table {
 public:
  /// Loads stored roles (user id, role name); unknown role names are ignored.
  explicit role_table(const std::vector<std::pair<std::string, std::string>>& stored = {});

  role of(std::string_view user_id) const;
  bool is_admin(std::string_view user_id) const { return of(user_id) == role::admin; }
  /// Records a role; returns false when the user already had it.
  bool set(const std::string& user_id, role r);
  std::size_t admin_count() const { return admins_.size(); }

 private:
  std::unordered_set<std::string> admins_;
};

}  // namespace plexichat::actors::access
