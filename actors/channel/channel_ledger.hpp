#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/records.hpp"

namespace plexichat::actors::channel {

/// The logic of one channel, without an actor: members and sequence assignment. Seqs are
/// handed out by assign() in order and become durable in the same order (commit()); assigned
/// but uncommitted seqs are never shown to readers. For idempotent sends it remembers the
/// nonces whose message this node's store may not hold yet; the store answers for the rest
/// (storage::database::peek_nonce), so memory does not grow with a day of nonces.
/// Owned by the channel's actor; not thread-safe.
class channel_ledger {
 public:
  channel_ledger(storage::channel_record record, const std::vector<std::string>& members,
                 uint64_t last_seq, int64_t nonce_ttl_ms);

  const storage::channel_record& record() const { return record_; }
  /// Replaces the record (after a rename is durable); the id and owner stay.
  void set_record(storage::channel_record record) { record_ = std::move(record); }
  bool is_member(std::string_view user_id) const;
  /// Public channels are visible to everyone signed in; private ones to members only.
  bool can_view(std::string_view user_id) const;
  std::size_t member_count() const { return members_.size(); }

  /// Adds or removes a member in memory (after the write is durable); false if no change.
  bool add_member(const std::string& user_id);
  bool remove_member(const std::string& user_id);

  /// The highest durable seq: what readers and subscribers may see.
  uint64_t committed_seq() const { return committed_; }
  /// The highest seq handed out (durable or in flight).
  uint64_t assigned_seq() const { return assigned_; }

  /// The seq an earlier send by `author_id` with this nonce got, if within the TTL and not
  /// yet forgotten; nullopt means "ask the store", not "new".
  std::optional<uint64_t> find_nonce(std::string_view author_id, std::string_view nonce,
                                     int64_t now_ms) const;

  /// Gives a send the next seq and remembers its nonce; the caller persists the record.
  storage::message_record assign(const std::string& author_id, const std::string& author,
                                 const std::string& content, const std::string& nonce,
                                 const std::string& message_id, int64_t now_ms);

  /// Marks `seq` durable. Seqs commit in the order they were assigned.
  void commit(uint64_t seq);

  /// Forgets every seq assigned after the last durable one (their write failed).
  void abandon_uncommitted();

  /// Forgets the nonces of seqs up to `seq`, once this node's store holds those messages
  /// (and their nonces) and answers for them.
  void forget_nonces_through(uint64_t seq);
  std::size_t nonce_count() const { return nonces_.size(); }
  int64_t nonce_ttl_ms() const { return nonce_ttl_ms_; }

 private:
  static std::string nonce_key(std::string_view author_id, std::string_view nonce);
  void forget(const std::pair<uint64_t, std::string>& entry);

  storage::channel_record record_;
  std::unordered_set<std::string> members_;
  uint64_t committed_ = 0;
  uint64_t assigned_ = 0;
  int64_t nonce_ttl_ms_ = 0;
  struct nonce_value {
    uint64_t seq;
    int64_t created_at;
  };
  std::unordered_map<std::string, nonce_value> nonces_;
  /// (seq, key) of every remembered nonce, in assignment (so seq) order.
  std::deque<std::pair<uint64_t, std::string>> nonce_order_;
};

}  // namespace plexichat::actors::channel
