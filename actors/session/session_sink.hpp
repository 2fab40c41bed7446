#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/wire.hpp"

namespace plexichat::actors::session {

/// The socket side of a WebSocket session, implemented by the net layer. Thread-safe and
/// never blocking: each call posts onto the connection's strand.
class session_sink {
 public:
  virtual ~session_sink() = default;
  /// Queues a text frame. When the connection's bounded queue is full, the net layer closes
  /// it with 4009 (slow consumer) instead.
  virtual void send(wire::frame frame) = 0;
  /// Queues frames, in order, as one hand-over to the connection.
  virtual void send(std::vector<wire::frame> frames) = 0;
  /// Closes the socket with `code` after the frames already queued.
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Frames handed over and not yet written; the session paces history replays by it.
  virtual std::size_t queued() const = 0;
};

using sink_ptr = std::shared_ptr<session_sink>;

}  // namespace plexichat::actors::session

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::session::sink_ptr)
