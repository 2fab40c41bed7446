#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"
#include "actors/session/client_frame.hpp"
#include "actors/session/session_sink.hpp"

/// The session actor: one per WebSocket connection (DESIGN.md "session").
///
/// From the net layer: (frame_atom, parsed_frame) for each frame the client sent, in order,
/// and (closed_atom) when the socket has closed. Answers go to the client through the sink.
/// The session authenticates the client (close 4001 if it sends anything else first or
/// nothing within `limits.auth_timeout`), subscribes it to channels (replaying missed
/// messages from storage before live ones, each seq exactly once), and sends its messages.
namespace plexichat::actors::session {

/// `sink` is the connection; it names the session and the client's address.
caf::actor spawn_ws_session(caf::actor_system& sys, node_context* ctx, sink_ptr sink);

}  // namespace plexichat::actors::session
