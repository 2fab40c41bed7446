#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/errc.hpp"
#include "storage/records.hpp"
#include "storage/write_batch.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace plexichat::storage {

struct database_options {
  /// The data directory RocksDB lives in.
  std::string path;
  /// The LRU block cache shared by every column family.
  std::size_t block_cache_bytes = 32 << 20;
  /// Create the directory and database when missing; otherwise a missing one is an error.
  bool create_if_missing = true;
  /// Nonces older than this no longer make a send idempotent; compaction drops them from
  /// disk. Zero keeps them.
  std::chrono::milliseconds nonce_ttl{0};
};

/// A page of the audit log in ascending seq; has_more: records after the page exist.
struct audit_page {
  std::vector<audit_record> records;
  bool has_more = false;
};

/// A page of users in id order; has_more: users after the page exist.
struct user_page {
  std::vector<user_record> users;
  bool has_more = false;
};

/// The meta key holding the audit chain's head: 8-byte big-endian seq then the 32-byte MAC.
inline constexpr std::string_view audit_head_key = "audit_head";

/// The node's RocksDB database with one column family per record kind (column_family.hpp).
/// Reads are thread-safe and may block on disk, so callers run them off actor scheduler
/// threads. A read that meets an I/O error or a record that does not decode treats the record
/// as absent. Writes go through write(); in a node, group_commit is the only caller.
class database {
 public:
  /// Opens (creating it if allowed) the database with all its column families.
  /// Errors: errc::locked when another process (or another open in this one) holds the
  /// directory; errc::newer_schema when the stored schema is newer than
  /// current_schema_version; errc::corruption for an unreadable schema version or a failed
  /// migration; errc::invalid_argument for an empty path or a missing database with
  /// create_if_missing off; errc::io_error otherwise. A new database gets the current schema
  /// version; an older one is migrated.
  [[nodiscard]] static result<std::unique_ptr<database>> open(const database_options& options);

  database(const database&) = delete;
  database& operator=(const database&) = delete;
  /// Closes the database and releases its lock. No read or write may be running.
  ~database();

  std::optional<user_record> get_user(std::string_view id) const;
  /// The id of the user with that (lowercase) username.
  std::optional<std::string> find_user_id(std::string_view lowercase_username) const;
  std::optional<channel_record> get_channel(std::string_view id) const;
  /// Every channel, in id order.
  std::vector<channel_record> list_channels() const;
  /// The user ids of the channel's members, in id order.
  std::vector<std::string> channel_members(std::string_view channel_id) const;
  bool is_member(std::string_view channel_id, std::string_view user_id) const;
  /// The ids of the channels the user is a member of, in id order.
  std::vector<std::string> user_channels(std::string_view user_id) const;
  /// The highest seq stored for the channel; 0 when it has no message.
  uint64_t last_seq(std::string_view channel_id) const;

  /// Messages of a channel in ascending seq. With `after`: seq > after; with `before`:
  /// seq < before; with neither: the newest `limit`. has_more says whether more exist beyond
  /// the page in the direction of travel (after only: newer ones; before only or neither:
  /// older ones; both: more between the page and `before`). `limit` must be >= 1 (0 reads 1).
  message_page read_messages(std::string_view channel_id, std::optional<uint64_t> after,
                             std::optional<uint64_t> before, std::size_t limit) const;

  std::optional<nonce_record> find_nonce(std::string_view channel_id, std::string_view author_id,
                                         std::string_view nonce) const;
  /// find_nonce from what is in memory (memtables, bloom filters, cached blocks): it never
  /// reads the disk, so an actor may call it. `unknown` when the answer needs a disk read.
  nonce_peek peek_nonce(std::string_view channel_id, std::string_view author_id,
                        std::string_view nonce) const;
  /// Compacts every column family now (blocking). Compaction also runs by itself as the
  /// database grows; this is for tests and maintenance.
  status compact();
  /// Every revoked token: (jti, expires_at ms), in jti order.
  std::vector<std::pair<std::string, int64_t>> revocations() const;
  std::optional<std::string> get_meta(std::string_view key) const;
  // The audit log and roles (database_audit.cpp).

  /// Audit records with seq > after, ascending, at most `limit` (>= 1).
  audit_page read_audit(uint64_t after, std::size_t limit) const;
  /// The audit record with the highest seq, if any.
  std::optional<audit_record> last_audit() const;
  /// Visits every audit key in seq order from one consistent snapshot: the key's seq
  /// (nullopt for a malformed key) and the decoded record (nullopt if it does not decode);
  /// then returns the meta audit_head value of the same snapshot.
  std::optional<std::string> scan_audit(
      const std::function<void(std::optional<uint64_t>, std::optional<audit_record>)>& visit) const;
  /// The stored role of a user, if any.
  std::optional<std::string> get_role(std::string_view user_id) const;
  /// Every stored role: (user id, role), in user id order.
  std::vector<std::pair<std::string, std::string>> roles() const;
  /// Users with id > after_id (all when empty), in id order, at most `limit` (>= 1).
  user_page list_users(std::string_view after_id, std::size_t limit) const;

  /// The user's second-factor state, if any was ever enrolled.
  std::optional<mfa_record> get_mfa(std::string_view user_id) const;
  /// The user's stored sessions (expired ones included), in session id order.
  std::vector<session_record> user_sessions(std::string_view user_id) const;
  // Backup shards held for peers, and checkpoints (database_shards.cpp).

  /// The shard at `key` (keys.hpp shard_key), if held.
  std::optional<std::string> get_shard(std::string_view key) const;
  /// Visits every held shard whose key starts with `prefix` (all when empty), in key order,
  /// from one snapshot; stops when `visit` returns false.
  void scan_shards(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view shard)>& visit) const;
  /// A consistent copy of the database in `dir` (absent; on the same file system it is mostly
  /// hard links), without the shards held for peers: a backup must not hold other nodes'
  /// backups. Blocks (flushes the memtables). io_error when it fails.
  [[nodiscard]] status checkpoint_without_shards(const std::string& dir) const;

  /// The schema version of the open database (after any migration).
  uint32_t schema_version() const;

  /// Applies the batch atomically as one RocksDB write with the WAL on; sync=true fsyncs the
  /// WAL before returning. The batch is left unchanged. Thread-safe. Errors: errc::io_error,
  /// errc::corruption (from RocksDB).
  [[nodiscard]] status write(write_batch& batch, bool sync);
  /// Applies all the batches (null entries skipped) atomically as ONE RocksDB write.
  [[nodiscard]] status write(std::vector<write_batch*> const& batches, bool sync);

  /// The number of successful synced writes since open (for tests and metrics). Thread-safe.
  uint64_t sync_count() const;

  /// Internal state, defined in storage/database_impl.hpp (storage's own sources only).
  struct impl;

 private:
  explicit database(std::unique_ptr<impl> state);

  std::unique_ptr<impl> impl_;
};

}  // namespace plexichat::storage
