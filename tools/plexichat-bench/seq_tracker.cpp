#include "tools/plexichat-bench/seq_tracker.hpp"

#include <algorithm>

namespace plexichat::bench {

void seq_tracker::start(uint64_t after_seq) {
  *this = seq_tracker{};
  first_ = after_seq;
  last_ = after_seq;
}

void seq_tracker::observe(uint64_t seq) {
  if (seq <= last_) {
    ++duplicates_;
    return;
  }
  if (seq > last_ + 1) {
    ++gaps_;
    skipped_ += seq - last_ - 1;
  }
  last_ = seq;
  ++received_;
}

uint64_t seq_tracker::losses(uint64_t newest_acked) const {
  if (newest_acked <= first_) {
    return 0;
  }
  uint64_t expected = newest_acked - first_;
  // Only in-order, first-time seqs count as received; any beyond newest_acked (a sender
  // outside the benchmark) do not make up for missing ones.
  uint64_t got_in_range = received_;
  if (last_ > newest_acked) {
    got_in_range -= std::min(got_in_range, last_ - newest_acked);
  }
  return expected > got_in_range ? expected - got_in_range : 0;
}

}  // namespace plexichat::bench
