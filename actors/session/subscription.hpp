#pragma once

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

}  // namespace plexichat::actors::session
