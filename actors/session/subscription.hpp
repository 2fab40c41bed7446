#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "actors/wire.hpp"

namespace plexichat::actors::session {

/// One channel subscription of a session: which seqs the client has been sent, and live
/// frames held back while older ones are still to be sent. Guarantees each seq is sent once,
/// in order. Owned by the session actor; not thread-safe.
///
/// A subscription with older messages to send is *catching up*: it replays them from
/// storage, then sends the live frames it held meanwhile, both in pages the session paces by
/// the socket's queue. It holds at most `hold_limit` frames: one more, and it drops them and
/// replays up to that seq from storage instead (live messages are durable before they are
/// fanned out), so a client that reads is never closed for having subscribed with after_seq.
/// Having sent it all, it goes live only when the session calls go_live(), which it does once
/// the socket's queue is at most half full: the last page may have filled the queue, and a
/// live frame then would close a client that reads.
class subscription {
 public:
  /// Starts at the client's after_seq; `last_seq` is the channel's durable seq at subscribe.
  /// `generation` tells this subscription's replay pages from those of an earlier
  /// subscription to the same channel.
  subscription(uint64_t after_seq, uint64_t last_seq, uint64_t generation = 0,
               std::size_t hold_limit = std::numeric_limits<std::size_t>::max())
      : delivered_(after_seq < last_seq ? after_seq : last_seq),
        replay_until_(last_seq),
        generation_(generation),
        hold_limit_(static_cast<uint32_t>(
            std::min<std::size_t>(hold_limit, std::numeric_limits<uint32_t>::max()))),
        live_(!replaying()) {}

  uint64_t generation() const { return generation_; }

  /// Storage has messages the client was not sent yet.
  bool replaying() const { return delivered_ < replay_until_; }
  /// Replaying, or live frames held back are still to be sent, or not live yet.
  bool catching_up() const { return !live_ || replaying() || held() != 0; }
  uint64_t delivered() const { return delivered_; }
  uint64_t replay_until() const { return replay_until_; }

  /// A live frame: returns true if it should be sent now; false for a seq already sent, or
  /// while catching up (the frame is then held, or left to the replay).
  bool on_live(uint64_t seq, const wire::frame& frame) {
    if (seq <= delivered_) {
      return false;
    }
    if (!catching_up()) {
      delivered_ = seq;
      return true;
    }
    if (held() >= hold_limit_) {
      drop_held();
      replay_until_ = std::max(replay_until_, seq);
      return false;
    }
    held_.emplace_back(seq, frame);
    return false;
  }

  /// A replayed message was sent.
  void on_replayed(uint64_t seq) {
    if (seq > delivered_) {
      delivered_ = seq;
    }
  }

  /// Storage had nothing after delivered(): the replay ends here (the held frames follow).
  void replay_exhausted() { replay_until_ = delivered_; }

  /// Once the replay is done: up to `max` held frames that follow, in order, marked sent.
  std::vector<wire::frame> next_held(std::size_t max) {
    std::vector<wire::frame> out;
    if (replaying()) {
      return out;
    }
    while (held() != 0 && out.size() < max) {
      auto& [seq, frame] = held_[next_held_];
      if (seq > delivered_) {
        delivered_ = seq;
        out.push_back(std::move(frame));
      }
      ++next_held_;
    }
    if (held() == 0) {
      drop_held();
    } else if (next_held_ >= held_.size() / 2) {  // keep the sent ones from piling up
      held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(next_held_));
      next_held_ = 0;
    }
    return out;
  }

  std::size_t held() const { return held_.size() - next_held_; }

  /// A replay page was asked of storage and has not come back yet (see replay_pacing).
  bool page_asked() const { return page_asked_; }
  void set_page_asked(bool asked) { page_asked_ = asked; }

  /// Live frames are sent at once from now on, if everything owed was sent; returns whether
  /// the subscription is live.
  bool go_live() {
    live_ = live_ || (!replaying() && held() == 0);
    return live_;
  }

 private:
  uint64_t delivered_;
  uint64_t replay_until_;
  uint64_t generation_;
  uint32_t hold_limit_;  // a queue's worth of frames; 32 bits keep the object 64 bytes
  bool live_;
  bool page_asked_ = false;
  /// The held frames from held_[next_held_] on. A vector, not a deque: libstdc++'s deque
  /// allocates over half a KiB as it is made, and every idle subscription would carry it.
  std::vector<std::pair<uint64_t, wire::frame>> held_;
  std::size_t next_held_ = 0;

  void drop_held() {
    held_ = {};
    next_held_ = 0;
  }
};
static_assert(sizeof(subscription) <= 64, "every idle subscription carries one");

/// How a session paces what its catching-up subscriptions send by the socket's queue, of
/// `limit` frames (limits.outbound_queue_frames; one frame more closes the session with 4009).
/// Catching up takes at most three quarters of the queue, so the frames a session sends
/// besides (`subscribed`, acks, pongs, live frames of other channels) keep a quarter: a page
/// is at most `max_page` messages and a quarter of the limit (at least 1), and a subscription
/// sends one, or asks storage for one, only while the queue, with every page already asked
/// for, is at most half full. However many subscriptions catch up at once, and whatever order
/// their pages come back in, a client that reads is never closed with 4009 for it.
class replay_pacing {
 public:
  replay_pacing(std::size_t limit, uint32_t max_page)
      : half_(limit / 2),
        page_(static_cast<uint32_t>(
            std::min<std::size_t>(max_page, std::max<std::size_t>(1, limit / 4)))) {}

  /// Messages (or held frames) a page holds at most.
  uint32_t page() const { return page_; }
  /// Whether a page may be sent, or asked for, now: `queued` frames wait in the socket's
  /// queue, and `pages_asked` pages were asked of storage and have not come back.
  bool may_send(std::size_t queued, std::size_t pages_asked) const {
    return queued + pages_asked * page_ <= half_;
  }

 private:
  std::size_t half_;
  uint32_t page_;
};

}  // namespace plexichat::actors::session
