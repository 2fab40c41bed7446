#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

/// The directory: the node's users (DESIGN.md "user (directory entry)").
///
/// Messages (all answered; errors are api errors, see actors/api_error.hpp):
/// - (register_atom, username, password) -> storage::user_record   conflict if taken
/// - (login_atom, username, password)    -> login_result           unauthorized
/// - (get_atom, user_id)                 -> storage::user_record   not_found
/// - (logout_atom, token_id, expires_at_ms) -> bool                once durable
/// In a cluster a registration is forwarded to the username's owner, and the directory also
/// takes the peers' messages of user_replication.hpp.
/// Usernames arrive validated and lowercased by the net layer. Password hashing and storage
/// reads run on the blocking pool; writes go through the node's writer.
namespace plexichat::actors::directory {

caf::actor spawn_directory(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::directory
