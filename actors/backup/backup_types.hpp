#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/backup/backup_items.hpp"

/// The messages of the backup actors that cross nodes (shard holders) or reach the inspector
/// (the coordinator's answers), with their inspect() for CAF.
namespace plexichat::actors::backup {

/// One shard a holder keeps for an owner, and whether its header and checksums are intact.
struct held_shard {
  std::string backup_id;
  std::string chunk_name;
  uint8_t index = 0;
  uint64_t bytes = 0;
  bool intact = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, held_shard& x) {
  return f(caf::meta::type_name("held_shard"), x.backup_id, x.chunk_name, x.index, x.bytes,
           x.intact);
}

/// A holder's totals.
struct holder_stats {
  uint64_t count = 0;
  uint64_t bytes = 0;
  int64_t last_scrub_ms = 0;  ///< 0 = never since the holder started
  uint64_t corrupt = 0;       ///< corrupt shards found by the last scrub
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holder_stats& x) {
  return f(caf::meta::type_name("holder_stats"), x.count, x.bytes, x.last_scrub_ms, x.corrupt);
}

/// A backup as the coordinator lists it.
struct backup_status {
  backup_summary summary;
  std::string state;  ///< "running", "done", "failed"
  std::string error;  ///< why it failed
  uint64_t chunks_done = 0;
  uint64_t chunks_total = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backup_summary& x) {
  return f(caf::meta::type_name("backup_summary"), x.id, x.created_ms, x.size, x.chunks,
           x.new_bytes, x.shard_bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backup_status& x) {
  return f(caf::meta::type_name("backup_status"), x.summary, x.state, x.error, x.chunks_done,
           x.chunks_total);
}

/// What verify found: shards missing or corrupt ("node backup chunk#index: why"), and how
/// many were checked.
struct verify_report {
  std::string backup_id;
  uint64_t checked = 0;
  std::vector<std::string> missing;
  std::vector<std::string> corrupt;
  uint64_t repaired = 0;  ///< set by repair
  std::string error;      ///< set when the check itself could not run

  bool clean() const { return error.empty() && missing.empty() && corrupt.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verify_report& x) {
  return f(caf::meta::type_name("verify_report"), x.backup_id, x.checked, x.missing, x.corrupt,
           x.repaired, x.error);
}

/// What a restore from the console did: the backup, where it went, and what it could not
/// rebuild (nothing is written for a file with a lost chunk).
struct restore_outcome {
  std::string backup_id;
  std::string owner;   ///< the node whose backup it is
  std::string target;  ///< the directory restored into
  uint64_t bytes = 0;  ///< bytes written
  std::vector<std::string> lost_chunks;
  std::vector<std::string> rejected_shards;
  std::string error;

  bool ok() const { return error.empty() && lost_chunks.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, restore_outcome& x) {
  return f(caf::meta::type_name("restore_outcome"), x.backup_id, x.owner, x.target, x.bytes,
           x.lost_chunks, x.rejected_shards, x.error);
}

/// What a master-key rotation did: the backups whose manifests were sealed again under the
/// new key.
struct key_rotation {
  std::vector<std::string> rotated;
  uint64_t old_items_deleted = 0;  ///< shards of the old key's manifests and index deleted
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, key_rotation& x) {
  return f(caf::meta::type_name("key_rotation"), x.rotated, x.old_items_deleted, x.error);
}

/// Registers the types above for messages between nodes.
void add_backup_types(caf::actor_system_config& cfg);

}  // namespace plexichat::actors::backup
