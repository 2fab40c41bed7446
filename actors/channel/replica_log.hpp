#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

/// One channel's log as one replica holds it, without storage or actors: the decisions of
/// the replication protocol (DESIGN.md "The cluster"), in the manner of Kafka's leader epochs.
///
/// - An owner serves a channel under an epoch. Before it serves, it claims the epoch at every
///   live member; a replica grants a claim only if it is newer than the one it promised (or
///   the same owner's again), and from then on refuses writes of older epochs. So a stale
///   owner (frozen, or cut off) can no longer reach W replicas and never acknowledges a seq
///   that the new owner also hands out.
/// - Each replica remembers where each epoch began in its log (`epoch_start`). Two replicas
///   agree on every seq up to the end of their common epochs, so a replica that holds
///   writes no owner acknowledged (its owner died before W held them) is cut back to the
///   point where it agrees with the new owner's log, then copied forward.
namespace plexichat::actors::channel {

/// The first seq written in `epoch` in one replica's log.
struct epoch_start {
  uint64_t epoch = 0;
  uint64_t start_seq = 0;

  bool operator==(const epoch_start&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, epoch_start& x) {
  return f(caf::meta::type_name("epoch_start"), x.epoch, x.start_seq);
}

/// An owner's claim, as a replica promised it.
struct epoch_claim {
  uint64_t epoch = 0;
  std::string owner;  ///< the claiming node's name

  bool operator==(const epoch_claim&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, epoch_claim& x) {
  return f(caf::meta::type_name("epoch_claim"), x.epoch, x.owner);
}

/// Where a replica's log stands: what a claim answers.
struct replica_position {
  bool granted = false;     ///< the claim was granted (else `promised` is newer)
  epoch_claim promised;     ///< the claim this replica now honours
  uint64_t last_epoch = 0;  ///< epoch of its last message; 0 for an empty log
  uint64_t last_seq = 0;

  /// Orders logs by recency: the later last epoch, then the longer log.
  bool newer_than(const replica_position& o) const {
    return last_epoch != o.last_epoch ? last_epoch > o.last_epoch : last_seq > o.last_seq;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_position& x) {
  return f(caf::meta::type_name("replica_position"), x.granted, x.promised, x.last_epoch,
           x.last_seq);
}

/// What a replica says to an append.
enum class append_verdict : uint8_t {
  ok,          ///< held (once the write is durable)
  fenced,      ///< a newer owner's claim was promised: the sender must stop serving
  out_of_sync  ///< not claimed for this epoch, or the log does not end at prev_seq: copy first
};

class replica_log {
 public:
  replica_log() = default;
  replica_log(epoch_claim promised, std::vector<epoch_start> epochs, uint64_t last_seq);

  const epoch_claim& promised() const { return promised_; }
  const std::vector<epoch_start>& epochs() const { return epochs_; }
  uint64_t last_seq() const { return last_seq_; }
  /// The epoch of the last message, 0 when the log is empty.
  uint64_t last_epoch() const;
  replica_position position(bool granted) const;

  /// True when `claim` is newer than the promise, or the same.
  bool grants(const epoch_claim& claim) const;
  /// Grants `claim` if grants() says so; the caller persists the new promise.
  replica_position claim(const epoch_claim& claim);

  /// Judges an append of seqs `first_seq..` (none for a change of members only) by `claim`
  /// after `prev_seq`; on ok, the caller writes them and calls appended().
  append_verdict judge(const epoch_claim& claim, uint64_t prev_seq, bool has_messages) const;
  /// Seqs up to `last_seq` were written under `epoch`, from `first_seq` on.
  void appended(uint64_t epoch, uint64_t first_seq, uint64_t last_seq);

  /// The last seq this log holds that was written in `epoch` or before: a replica whose last
  /// message is of `epoch` agrees with this log up to there.
  uint64_t end_of(uint64_t epoch) const;
  /// The epoch the message at `seq` was written in: that of the last epoch start at or before
  /// it; 0 when `seq` is 0, past the log's end, or before its first recorded start.
  uint64_t epoch_of(uint64_t seq) const;
  /// Where a replica at `other` must be cut back to before it copies from this log.
  uint64_t agreement_point(uint64_t other_last_epoch, uint64_t other_last_seq) const;

  /// Cuts the log back to `seq` (the caller deletes the messages after it).
  void truncate(uint64_t seq);
  /// Takes the epoch starts of the log it copied from, up to its own last seq.
  void adopt_epochs(const std::vector<epoch_start>& source, uint64_t last_seq);

 private:
  epoch_claim promised_;
  std::vector<epoch_start> epochs_;  ///< ascending in both epoch and start_seq
  uint64_t last_seq_ = 0;
};

}  // namespace plexichat::actors::channel
