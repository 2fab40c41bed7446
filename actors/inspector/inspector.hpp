#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/inspector/inspector_query.hpp"
#include "actors/node_context.hpp"

/// The inspector actor: one per node, what `plexichat-console` talks to (reached through the
/// node's published cluster actor: (inspector_atom) -> this actor). It answers
/// (inspect_atom, inspector_query) -> std::string, a JSON object (inspector_reports.hpp
/// builds them; {"error": ...} when the query cannot be answered):
/// - summary: the node: name, addresses, state, uptime, counts, connections, memory
/// - members: the cluster membership as this node sees it (itself alone without a cluster)
/// - actors [kind], actor ID, sessions: from the node's actor table
/// - channels, users [after, limit]: read from storage on the blocking pool
/// - where CHANNEL: the channel actor's own report (owner, epoch, last seq, replicas and how
///   far each is) with the placement this node computes
/// - drain on|off: this node starts or stops draining (its entities move to the others)
/// - audit [after, limit], audit_verify: from the audit actor
/// - grant USERNAME, revoke USERNAME: node admin role, through the access actor, which writes
///   the role and its audit record (role.change, by "console") in one atomic write
/// - log_level LEVEL: spdlog's level at runtime, logged
/// - metrics: the node's Prometheus text
/// - backup create|list|verify|repair|restore|rotate-key [args]: the backup coordinator's
///   answers (backup_json.hpp); restore's args are {id, target directory}
/// - shards: the shards this node holds for its peers (count, bytes, last scrub)
/// Storage reads run on the blocking pool; the actor never blocks.
namespace plexichat::actors::inspector {

caf::actor spawn_inspector(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::inspector
