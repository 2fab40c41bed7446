#pragma once

#include <nlohmann/json.hpp>

#include "actors/backup/backup_types.hpp"

/// The coordinator's and holders' answers as JSON, the same for the admin HTTP routes and
/// the console (docs/API.md, "Backups"). Plain functions.
namespace plexichat::actors::backup {

/// id, created_ms, size, chunks, new_bytes, state, chunks_done, chunks_total [, error]
nlohmann::json status_json(const backup_status& b);

/// backup_id, clean, checked, missing, corrupt, repaired [, error]
nlohmann::json report_json(const verify_report& r);

/// ok, backup_id, node, target, bytes, lost_chunks, rejected_shards [, error]
nlohmann::json restore_json(const restore_outcome& r);

/// ok, rotated (backup ids), old_items_deleted [, error]
nlohmann::json rotation_json(const key_rotation& r);

/// shards, bytes, last_scrub_ms, corrupt
nlohmann::json holder_json(const holder_stats& s);

}  // namespace plexichat::actors::backup
