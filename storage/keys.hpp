#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::storage {

// RocksDB keys. Ids never contain '\0', so '\0' separates the parts of a composite key and
// every key of one entity X starts with key_prefix(X) = X + '\0'. Because '\0' sorts first,
// all of X's keys sort together and before those of any id that X is a proper prefix of
// ("a" before "ab"). Split functions return views into their argument, or nullopt when the
// key is not of that shape. Thread-safe (pure).

/// X + '\0': the prefix shared by every composite key whose first part is X.
std::string key_prefix(std::string_view first);

/// X + '\1': the exclusive upper bound of the keys that start with key_prefix(X).
std::string key_prefix_end(std::string_view first);

/// channel_id + '\0' + seq as 8 big-endian bytes: bytewise order is (channel, seq) order.
std::string message_key(std::string_view channel_id, uint64_t seq);

struct message_key_parts {
  std::string_view channel_id;
  uint64_t seq = 0;
};
std::optional<message_key_parts> split_message_key(std::string_view key);

/// channel_id + '\0' + user_id (the members column family).
std::string member_key(std::string_view channel_id, std::string_view user_id);

struct member_key_parts {
  std::string_view channel_id;
  std::string_view user_id;
};
std::optional<member_key_parts> split_member_key(std::string_view key);

/// user_id + '\0' + channel_id (the user_channels column family).
std::string user_channels_key(std::string_view user_id, std::string_view channel_id);

struct user_channels_key_parts {
  std::string_view user_id;
  std::string_view channel_id;
};
std::optional<user_channels_key_parts> split_user_channels_key(std::string_view key);

/// channel_id + '\0' + author_id + '\0' + nonce. The nonce is the remainder of the key, so
/// it may hold any byte.
std::string nonce_key(std::string_view channel_id, std::string_view author_id,
                      std::string_view nonce);

struct nonce_key_parts {
  std::string_view channel_id;
  std::string_view author_id;
  std::string_view nonce;
};
std::optional<nonce_key_parts> split_nonce_key(std::string_view key);

/// seq as 8 big-endian bytes (the audit column family): bytewise order is seq order.
std::string audit_key(uint64_t seq);
/// The seq of an audit key; nullopt unless the key is exactly 8 bytes.
std::optional<uint64_t> split_audit_key(std::string_view key);
/// user_id + '\0' + session id (the sessions column family).
std::string session_key(std::string_view user_id, std::string_view session_id);

/// The shards column family's key: owner node + '\0' + backup id + '\0' + chunk name (32
/// bytes, may hold any byte) + index (1 byte). Every shard of one owner starts with
/// key_prefix(owner), of one backup with shard_key_prefix(owner, backup id).
std::string shard_key(std::string_view owner, std::string_view backup_id,
                      std::string_view chunk_name, uint8_t index);
std::string shard_key_prefix(std::string_view owner, std::string_view backup_id);

struct shard_key_parts {
  std::string_view owner;
  std::string_view backup_id;
  std::string_view chunk_name;
  uint8_t index = 0;
};
std::optional<shard_key_parts> split_shard_key(std::string_view key);

}  // namespace plexichat::storage
