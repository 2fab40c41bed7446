#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "storage/records.hpp"

namespace plexichat::actors::directory {

/// The directory's in-memory view of users: records by id, ids by lowercase username, and
/// the usernames being registered right now (reserved until their write is durable, so two
/// concurrent registrations of one name cannot both succeed). Owned by the directory actor.
class user_index {
 public:
  const storage::user_record* by_id(std::string_view id) const;
  const storage::user_record* by_name(std::string_view username) const;

  /// Reserves a name for a registration in flight; false when taken or reserved.
  bool reserve(const std::string& username);
  void release(const std::string& username);

  /// Remembers a user read from storage or just registered.
  void insert(storage::user_record user);

  std::size_t size() const { return users_.size(); }

 private:
  std::unordered_map<std::string, storage::user_record> users_;
  std::unordered_map<std::string, std::string> ids_by_name_;
  std::unordered_set<std::string> reserved_;
};

}  // namespace plexichat::actors::directory
