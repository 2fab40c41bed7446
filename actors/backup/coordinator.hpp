#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/backup/backup_types.hpp"
#include "actors/node_context.hpp"
#include "storage/backup/backup_keys.hpp"

/// The node's backup coordinator (DESIGN.md "Backups, sharded across peers"): backs this
/// node's data up as erasure-coded shards on its peers' shard holders. One per node, on the
/// scheduler; each job (a backup, a verify, a repair) runs on a detached thread of its own
/// (backup_jobs.hpp), which takes the RocksDB checkpoint, runs the pipeline and waits for the
/// holders, and reports back. One job at a time.
///
/// A backup's files are the checkpoint of the database (`db/`, without the shards held for
/// peers) and the node's token signing and audit keys; the master key itself is never in it.
/// The node keeps its backups' list in `backups/catalog.json` and each sealed manifest in
/// `backups/<id>.manifest` under the data directory; the peers keep the same list sealed
/// (the backup index), so a new node with the master key alone can find them.
///
/// Messages (the inspector's and the admin HTTP endpoint's):
/// - (create_atom) -> backup_status   started (state "running"); refused with fewer than
///   k + m peers up or while another job runs
/// - (list_atom) -> std::vector<backup_status>   newest last
/// - (verify_atom, id) -> verify_report   empty id: the newest
/// - (repair_atom, id) -> verify_report   what was missing or corrupt, and how many were put back
namespace plexichat::actors::backup {

/// The file under the data directory holding the node's backup master key (32 bytes, 0600).
inline constexpr const char* master_key_file = "backup_master.key";

/// Spawns the coordinator; `master` is the node's backup master key. Reads the local catalog
/// (blocking: call at start-up).
caf::actor spawn_coordinator(caf::actor_system& sys, node_context* ctx,
                             storage::backup::master_key master);

}  // namespace plexichat::actors::backup
