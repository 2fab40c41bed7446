#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/column_family.hpp"
#include "storage/records.hpp"

namespace plexichat::storage {

class database;

/// A set of record writes that database::write applies atomically. Building a batch does no
/// I/O and needs no database. Movable, not copyable; not thread-safe (one owner at a time).
class write_batch {
 public:
  write_batch() = default;
  write_batch(write_batch&&) noexcept = default;
  write_batch& operator=(write_batch&&) noexcept = default;
  write_batch(const write_batch&) = delete;
  write_batch& operator=(const write_batch&) = delete;
  ~write_batch() = default;

  /// Writes users[id] and usernames[username] = id. An old username is not removed.
  void put_user(const user_record& user);
  void put_channel(const channel_record& channel);
  /// Writes members[(channel, user)] and user_channels[(user, channel)].
  void add_member(const member_record& member);
  /// Deletes both keys that add_member writes.
  void remove_member(std::string_view channel_id, std::string_view user_id);
  /// Writes messages[(channel, seq)], and nonces[(channel, author, nonce)] when the message
  /// has a nonce.
  void put_message(const message_record& message);
  /// Deletes messages[(channel, seq)] (a replica cutting back a tail no owner acknowledged);
  /// its nonce, if any, is the caller's to delete.
  void delete_message(std::string_view channel_id, uint64_t seq);
  /// Records the token `jti` as revoked until `expires_at` (ms since the epoch).
  void revoke_token(std::string_view jti, int64_t expires_at);
  void delete_nonce(std::string_view channel_id, std::string_view author_id,
                    std::string_view nonce);
  void delete_revocation(std::string_view jti);
  void put_meta(std::string_view key, std::string_view value);
  /// Writes audit[seq as 8 big-endian bytes] = the record (mac included).
  void put_audit(const audit_record& record);
  /// Deletes one audit record (only the tamper test tool does this).
  void delete_audit(uint64_t seq);
  /// Writes roles[user_id] = role.
  void put_role(std::string_view user_id, std::string_view role);
  /// Deletes roles[user_id]: the user is back to the default role.
  void delete_role(std::string_view user_id);
  /// Writes shards[shard_key(...)] = the encoded shard (a backup shard held for a peer).
  void put_shard(std::string_view key, std::string_view shard);
  void delete_shard(std::string_view key);
  /// Moves every operation of `other` to the end of this batch.
  void append(write_batch&& other);
  void put_mfa(const mfa_record& record);
  void delete_mfa(std::string_view user_id);
  void put_session(const session_record& session);
  void delete_session(std::string_view user_id, std::string_view session_id);

  /// The number of key writes and deletes held (put_user counts 2, for instance).
  std::size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

 private:
  friend class database;

  enum class op_kind : uint8_t { put, erase };

  struct op {
    column_family family;
    op_kind kind;
    std::string key;
    std::string value;
  };

  void put(column_family family, std::string key, std::string value);
  void erase(column_family family, std::string key);

  std::vector<op> ops_;
};

}  // namespace plexichat::storage
