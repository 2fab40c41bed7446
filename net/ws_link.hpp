#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/wire.hpp"

namespace plexichat::net {

/// What the rest of the node needs of a WebSocket connection, whatever its stream: the
/// session actor's sink and the server's stop reach it through this. Thread-safe: each call
/// posts onto the connection's strand.
class ws_link {
 public:
  virtual ~ws_link() = default;
  /// The listener has stopped and will never run this connection again: tells its session
  /// (once) that it is closed. Called with the listener's threads joined.
  virtual void abandon() = 0;
  /// Queues a frame; a full queue closes the connection with 4009.
  virtual void post_send(actors::wire::frame frame) = 0;
  /// Queues frames, in order; they go to the socket together.
  virtual void post_send(std::vector<actors::wire::frame> frames) = 0;
  /// Queues `frames` frames already framed (wire::ws_text_frames), written as they are.
  virtual void post_send_framed(actors::wire::frame framed, std::size_t frames) = 0;
  /// Closes with `code` after the frames already queued.
  virtual void post_close(uint16_t code, std::string reason) = 0;
  /// Frames handed over (posted or queued) and not yet written.
  virtual std::size_t queued() const = 0;
  /// The server's idle sweep, every sixth of limits.ws_idle_timeout: pings a client silent
  /// for half of it, and drops one silent for all of it (not even a pong). Posts onto the
  /// connection's strand only then: a connection that was heard from lately costs a load.
  virtual void check_idle(std::chrono::steady_clock::time_point now) = 0;
};

}  // namespace plexichat::net
