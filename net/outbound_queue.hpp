#pragma once

#include <cstddef>
#include <deque>

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
    if (frames_.size() >= limit_) {
      return false;
    }
    frames_.push_back(std::move(f));
    return true;
  }

  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  const actors::wire::frame& front() const { return frames_.front(); }
  void pop() { frames_.pop_front(); }

  /// Drops every frame but the one in flight (the front), if `keep_front`.
  void clear(bool keep_front) {
    while (frames_.size() > (keep_front ? 1u : 0u)) {
      frames_.pop_back();
    }
  }

 private:
  std::size_t limit_;
  std::deque<actors::wire::frame> frames_;
};

}  // namespace plexichat::net
