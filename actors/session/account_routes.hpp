#pragma once

#include <caf/event_based_actor.hpp>

#include "actors/node_context.hpp"
#include "actors/session/rest_call.hpp"
#include "runtime/token.hpp"

namespace plexichat::actors::session {

/// Runs an authenticated account-security route (second factor, password change, sessions)
/// against the directory and replies; returns false, doing nothing, for any other route.
/// Runs in the REST session actor.
bool run_account_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                       const runtime::token_claims& who, const rest_responder& reply);

/// The JSON of a session for its owner; `current` marks the caller's own.
nlohmann::json session_json(const storage::session_record& s, bool current);

}  // namespace plexichat::actors::session
