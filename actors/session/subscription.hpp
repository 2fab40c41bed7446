#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "actors/wire.hpp"

namespace plexichat::actors::session {

/// One channel subscription of a session: which seqs the client has been sent, and live
/// frames held back while older ones are replayed from storage. Guarantees each seq is
/// sent once, in order. Owned by the session actor; not thread-safe.
class subscription {
 public:
  /// Starts at the client's after_seq; `last_seq` is the channel's durable seq at subscribe.
  /// `generation` tells this subscription's replay pages from those of an earlier
  /// subscription to the same channel.
  subscription(uint64_t after_seq, uint64_t last_seq, uint64_t generation = 0)
      : delivered_(after_seq < last_seq ? after_seq : last_seq),
        replay_until_(last_seq),
        generation_(generation) {}

  uint64_t generation() const { return generation_; }

  bool replaying() const { return delivered_ < replay_until_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t replay_until() const { return replay_until_; }

  /// A live frame: returns true if it should be sent now; holds it while replaying; false
  /// for a seq already sent.
  bool on_live(uint64_t seq, const wire::frame& frame) {
    if (seq <= delivered_) {
      return false;
    }
    if (replaying()) {
      held_.emplace_back(seq, frame);
      return false;
    }
    delivered_ = seq;
    return true;
  }

  /// A replayed message was sent.
  void on_replayed(uint64_t seq) {
    if (seq > delivered_) {
      delivered_ = seq;
    }
  }

  /// Replay ended (possibly early, when storage had no more): returns the held frames that
  /// follow, in order, and marks them sent.
  std::vector<wire::frame> finish_replay() {
    replay_until_ = delivered_;
    std::vector<wire::frame> out;
    for (auto& [seq, frame] : held_) {
      if (seq > delivered_) {
        delivered_ = seq;
        out.push_back(std::move(frame));
      }
    }
    held_.clear();
    return out;
  }

  std::size_t held() const { return held_.size(); }

 private:
  uint64_t delivered_;
  uint64_t replay_until_;
  uint64_t generation_;
  std::vector<std::pair<uint64_t, wire::frame>> held_;
};

/// Messages a replay asks storage for at once, given the socket queue's `limit`
/// (limits.outbound_queue_frames; one frame more closes the session with 4009). A page is
/// queued whole, and only while the queue is at most half full, so it is at most `max_page`
/// and half the limit (at least 1): a replay alone never overflows the queue of a client that
/// reads, however small the limit.
inline uint32_t replay_page_size(std::size_t limit, uint32_t max_page) {
  return static_cast<uint32_t>(
      std::min<std::size_t>(max_page, std::max<std::size_t>(1, limit / 2)));
}

}  // namespace plexichat::actors::session
