#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/database.hpp"

/// Role changes written straight to the database, for when no actor runs: node start-up
/// (auth.admins) and the operator's `plexichat-node admin grant|revoke`. Each change goes in
/// one synced write with its audit record (event role.change). Blocking; not thread-safe
/// against other writers (call it before the node's writer starts, or on a stopped node).
namespace plexichat::actors::access {

struct offline_change {
  bool changed = false;  ///< false when the user already had the role
  uint64_t seq = 0;      ///< the audit record's seq when changed
  std::string error;     ///< non-empty when the write failed
};

/// Sets `user_id`'s role to admin (`to_admin`) or user; `actor` is who did it ("operator",
/// "config"). `key` is the audit MAC key.
offline_change change_role_offline(storage::database& db, const std::string& key,
                                   const std::string& user_id, bool to_admin,
                                   const std::string& actor);

/// Grants admin (actor "config") to every registered user named in `usernames` who is not
/// admin yet. Returns the first error, or "".
std::string apply_config_admins(storage::database& db, const std::string& key,
                                const std::vector<std::string>& usernames);

}  // namespace plexichat::actors::access
