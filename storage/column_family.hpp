#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace plexichat::storage {

/// The database's column families, one per kind of record.
enum class column_family : uint8_t {
  meta,           ///< schema_version and other meta strings
  users,          ///< user id -> user_record
  usernames,      ///< lowercase username -> user id
  channels,       ///< channel id -> channel_record
  members,        ///< member_key -> member_record
  user_channels,  ///< user_channels_key -> empty
  messages,       ///< message_key -> message_record
  nonces,         ///< nonce_key -> nonce_record
  revocations,    ///< token id (jti) -> big-endian int64 expires_at (ms)
  audit,          ///< 8-byte big-endian seq -> audit_record (actors/audit/)
  shards,         ///< shard_key(owner, backup id, chunk name, index) -> encoded backup shard
  roles,          ///< user id -> role name ("admin"); absent = "user"
  mfa,            ///< user id -> mfa_record
  sessions,       ///< session_key(user id, token id) -> session_record
};

inline constexpr std::size_t column_family_count = 14;

/// The RocksDB name of each column family, indexed by its enum value.
inline constexpr std::array<std::string_view, column_family_count> column_family_names = {
    "meta",   "users",       "usernames", "channels", "members", "user_channels", "messages",
    "nonces", "revocations", "audit",     "shards",   "roles",   "mfa",           "sessions",
};

constexpr std::string_view name_of(column_family family) {
  return column_family_names[static_cast<std::size_t>(family)];
}

/// The meta key holding the schema version, as decimal ASCII ("1").
inline constexpr std::string_view schema_version_key = "schema_version";

}  // namespace plexichat::storage
