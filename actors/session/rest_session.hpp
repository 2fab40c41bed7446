#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"
#include "actors/session/rest_call.hpp"

/// The actor paired with one HTTP connection: (rest_atom, rest_call, rest_responder) runs a
/// REST call against the directory and the channels and answers through the responder.
/// The net layer sends one call at a time (HTTP/1.1) and an exit message when the
/// connection closes.
namespace plexichat::actors::session {

caf::actor spawn_rest_session(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::session
