#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/backup/backup_types.hpp"
#include "actors/node_context.hpp"

/// The node's shard holder: the backup shards this node keeps for its peers (DESIGN.md
/// "Backups, sharded across peers"), in the shards column family keyed by (owner node, backup
/// id, chunk name, index). Peers reach it as the cluster service "shards". A detached actor
/// (it reads RocksDB on its own thread); puts go through the node's group commit and are
/// answered once durable. It checks shards with decode_shard alone: it never sees a key or
/// plaintext.
///
/// Messages:
/// - (put_atom, owner, shard bytes) -> bool   true once durable; an error for a shard that
///   does not decode (the key comes from its header)
/// - (get_atom, owner, backup_id, chunk_name) -> std::vector<std::string>   every index held
/// - (list_atom, owner) -> std::vector<held_shard>   each checked (intact or not)
/// - (stats_atom) -> holder_stats
/// - (delete_atom, owner, backup_id) -> uint64_t   shards deleted (retention)
/// - (scrub_atom) -> holder_stats   checks every shard now; also runs every
///   backup.scrub_interval and logs each corrupt one
namespace plexichat::actors::backup {

caf::actor spawn_shard_holder(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::backup
