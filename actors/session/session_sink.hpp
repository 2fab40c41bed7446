#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/wire.hpp"

namespace plexichat::actors::session {

/// The socket side of a WebSocket session, implemented by the net layer. Thread-safe and
/// never blocking: each call posts onto the connection's strand. It also names the session
/// and its peer (fixed when the connection is accepted), so that the session actor, one per
/// connection, need not hold them too.
class session_sink {
 public:
  session_sink(std::string session_id, std::string remote_address)
      : session_id_(std::move(session_id)), remote_address_(std::move(remote_address)) {}
  virtual ~session_sink() = default;

  /// The id the client is told in `ready` and the console lists the session by.
  const std::string& session_id() const { return session_id_; }
  /// The peer's IP address (empty if the socket could not tell it).
  const std::string& remote_address() const { return remote_address_; }

  /// Queues a text frame. When the connection's bounded queue is full, the net layer closes
  /// it with 4009 (slow consumer) instead.
  virtual void send(wire::frame frame) = 0;
  /// Queues frames, in order, as one hand-over to the connection.
  virtual void send(std::vector<wire::frame> frames) = 0;
  /// Queues `frames` text frames already framed for the socket (wire::ws_text_frames), as
  /// one hand-over written as it is.
  virtual void send_framed(wire::frame framed, std::size_t frames) = 0;
  /// Closes the socket with `code` after the frames already queued.
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Frames handed over and not yet written; the session paces history replays by it.
  virtual std::size_t queued() const = 0;

 private:
  const std::string session_id_;
  const std::string remote_address_;
};

using sink_ptr = std::shared_ptr<session_sink>;

}  // namespace plexichat::actors::session

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::session::sink_ptr)
