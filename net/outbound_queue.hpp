#pragma once

#include <cstddef>
#include <vector>

#include "actors/wire.hpp"

namespace plexichat::net {

/// A WebSocket connection's frames waiting for the socket, with one write in flight at the
/// front. Bounded: push() refuses a frame once `limit` are waiting, and the connection is
/// then closed with 4009 (a slow consumer never slows its channel or other sessions).
/// Owned by one connection and touched only on its strand.
class outbound_queue {
 public:
  explicit outbound_queue(std::size_t limit) : limit_(limit) {}

  /// Queues a frame; false when the queue is full (the frame is not queued).
  bool push(actors::wire::frame f) {
    if (size() >= limit_) {
      return false;
    }
    frames_.push_back(std::move(f));
    return true;
  }

  bool empty() const { return head_ == frames_.size(); }
  std::size_t size() const { return frames_.size() - head_; }
  const actors::wire::frame& front() const { return frames_[head_]; }

  void pop() {
    frames_[head_++].reset();
    if (empty()) {
      release();
    } else if (head_ >= compact_after && head_ * 2 >= frames_.size()) {
      frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  /// Drops every frame but the one in flight (the front), if `keep_front`.
  void clear(bool keep_front) {
    if (keep_front && !empty()) {
      frames_.resize(head_ + 1);
    } else {
      release();
    }
  }

 private:
  /// Popped slots are reused once this many have gathered at the front.
  static constexpr std::size_t compact_after = 32;
  /// An empty queue keeps at most this much room, so that an idle connection holds little
  /// memory after a burst.
  static constexpr std::size_t kept_capacity = 64;

  void release() {
    frames_.clear();
    head_ = 0;
    if (frames_.capacity() > kept_capacity) {
      frames_.shrink_to_fit();
    }
  }

  std::size_t limit_;
  /// A vector with a moving front rather than a deque: it allocates nothing until the first
  /// frame (libstdc++'s deque allocates about 600 bytes up front, for every connection).
  std::vector<actors::wire::frame> frames_;
  std::size_t head_ = 0;
};

}  // namespace plexichat::net
