#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <string>

#include "actors/node_context.hpp"

/// The directory: the node's users (DESIGN.md "user (directory entry)").
///
/// Messages (all answered; errors are api errors, see actors/api_error.hpp):
/// - (register_atom, username, password) -> storage::user_record   conflict if taken
/// - (login_atom, username, password)    -> login_result           unauthorized
/// - (get_atom, user_id)                 -> storage::user_record   not_found
/// - (logout_atom, token_id, expires_at_ms) -> bool                once durable
/// In a cluster a registration is forwarded to the username's owner, account messages are
/// sent to the owner's directory (account_directory), and the directory also takes the
/// peers' messages of user_replication.hpp.
/// Usernames arrive validated and lowercased by the net layer. Password hashing and storage
/// reads run on the blocking pool; writes go through the node's writer.
namespace plexichat::actors::directory {

caf::actor spawn_directory(caf::actor_system& sys, node_context* ctx);

/// The directory that serves `username`'s account: logins, the second factor, sessions and
/// password changes (the account messages of account_types.hpp). In a cluster that is the
/// directory of the user's owner, rendezvous placement of the username over the live
/// members, so that a user's second factor, used codes and sessions have one home and a
/// login on any node sees them; without a cluster, the node's own. An unavailable error when
/// this node holds no majority lease or the owner's directory is not connected.
/// How long a session waits for the directory that serves an account: a peer's perhaps, with
/// a password hash and the peers' confirmations on the way. Shorter than a client's patience,
/// so that a message lost with a dropped connection ends in 503 rather than a hung request.
inline constexpr auto account_timeout = std::chrono::seconds{15};

caf::expected<caf::actor> account_directory(const node_context& ctx, const std::string& username);

}  // namespace plexichat::actors::directory
