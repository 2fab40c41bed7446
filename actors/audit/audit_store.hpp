#pragma once

#include <string>

#include "actors/audit/audit_chain.hpp"
#include "storage/database.hpp"
#include "storage/write_batch.hpp"

namespace plexichat::actors::audit {

/// The file in the data directory that holds the audit MAC key (32 raw bytes, mode 0600).
inline constexpr const char* audit_key_file = "audit.key";

/// The chain head to append after: the meta audit_head when stored, else the last record,
/// else the genesis head. Blocking read: start-up or offline tools.
chain_head load_head(const storage::database& db);

/// Adds `record` and the head it makes to `batch` (one atomic write keeps them together).
void add_record(storage::write_batch& batch, const storage::audit_record& record);

/// Verifies the whole stored log from one snapshot. Blocking, reads every record: run it on
/// the blocking pool or offline.
verify_result verify_log(const storage::database& db, const std::string& key);

/// The one line a person reads: "audit log intact: N records" or
/// "audit log damaged at seq S: REASON".
std::string describe(const verify_result& r);

}  // namespace plexichat::actors::audit
