#pragma once

#include <cstddef>
#include <cstdint>

namespace plexichat::bench {

/// What one subscriber saw of one channel's seq numbers. A channel's seqs grow by exactly
/// 1, so a jump is a gap (the skipped seqs are counted as missing) and a seq at or below
/// the last one is a duplicate or reordering. Losses are judged at the end against the
/// newest seq the senders had acknowledged. Owned by one thread.
class seq_tracker {
 public:
  /// The subscription starts after `after_seq` (the `subscribed` frame's `last_seq`).
  void start(uint64_t after_seq);
  void observe(uint64_t seq);

  /// The seq the subscription started after.
  [[nodiscard]] uint64_t after() const { return first_; }
  [[nodiscard]] uint64_t received() const { return received_; }
  [[nodiscard]] uint64_t last() const { return last_; }
  /// Jumps forward by more than one.
  [[nodiscard]] uint64_t gaps() const { return gaps_; }
  /// Seqs skipped over by those jumps.
  [[nodiscard]] uint64_t skipped() const { return skipped_; }
  /// Seqs at or below the last one seen.
  [[nodiscard]] uint64_t duplicates() const { return duplicates_; }
  /// Messages in (after_seq, newest_acked] that never arrived.
  [[nodiscard]] uint64_t losses(uint64_t newest_acked) const;
  /// Whether everything up to `seq` has arrived, in order.
  [[nodiscard]] bool caught_up(uint64_t seq) const { return last_ >= seq; }

 private:
  uint64_t first_ = 0;
  uint64_t last_ = 0;
  uint64_t received_ = 0;
  uint64_t gaps_ = 0;
  uint64_t skipped_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace plexichat::bench
