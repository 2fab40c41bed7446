#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

/// The access actor: one per node, owner of the node roles (role_table), loaded from the
/// roles column family at spawn. Every role change is written in the same atomic write as
/// its audit record (through ctx->audit), and takes effect in memory once durable.
///
/// Messages (errors are api errors):
/// - (role_atom, user_id) -> std::string "admin" | "user"
/// - (grant_atom, by_id, target_id, role, address) -> std::string the role now held;
///   conflict when it would demote the node's last admin. An unchanged role writes nothing.
///   `by_id` is the acting admin's user id, or "config" / "operator".
/// - (register_atom, user_record, address) -> std::string role: records the registration
///   (event auth.register) and, when the username is in auth.admins, grants admin.
/// Users already registered whose names are in auth.admins are granted admin at start-up,
/// before the actors run (offline_roles.hpp).
namespace plexichat::actors::access {

caf::actor spawn_access(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::access
