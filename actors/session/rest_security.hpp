#pragma once

#include <string>

#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/api_error.hpp"
#include "actors/audit/audit_chain.hpp"
#include "actors/node_context.hpp"
#include "actors/session/rest_call.hpp"
#include "runtime/token.hpp"

/// The REST calls that account security adds or audits: sign-up, login, logout, the admin
/// routes, and channel membership and ownership. Each runs in the connection's rest_session
/// actor. Audited calls answer only after their audit record is durable (503 unavailable if
/// it could not be written), so no acknowledged action lacks its record.
namespace plexichat::actors::session {

/// The reply for an error: its HTTP status and the protocol's error body.
rest_reply refusal(const api_error& e);

/// An audit entry for call `c`: its client address, and `detail` as JSON text.
audit::audit_entry audit_entry_for(const rest_call& c, std::string type, std::string actor_id,
                                   std::string subject, const nlohmann::json& detail);

/// Records `entry`, then replies `r` (or 503 when the record could not be written).
void reply_audited(caf::event_based_actor* self, node_context* ctx, audit::audit_entry entry,
                   const rest_responder& reply, rest_reply r);

void run_register(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                  const rest_responder& reply);
void run_login(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
               const rest_responder& reply);
void run_logout(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                const runtime::token_claims& who, const rest_responder& reply);
/// GET /users/me: the user with its node `role`.
void run_me(caf::event_based_actor* self, node_context* ctx, const runtime::token_claims& who,
            const rest_responder& reply);

/// create_channel, join_channel, leave_channel, add_member, remove_member, update_channel.
void run_membership(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                    const runtime::token_claims& who, const rest_responder& reply);

/// The admin_* routes: 403 forbidden unless the caller is a node admin.
void run_admin(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
               const runtime::token_claims& who, const rest_responder& reply);

}  // namespace plexichat::actors::session
