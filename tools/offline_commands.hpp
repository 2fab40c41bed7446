#pragma once

#include <optional>

namespace plexichat::tools {

/// The operator's subcommands for a STOPPED node (the data directory must not be in use):
///   plexichat-node admin grant USERNAME --data-dir DIR    make USERNAME a node admin
///   plexichat-node admin revoke USERNAME --data-dir DIR   make USERNAME a plain user
///   plexichat-node audit verify --data-dir DIR            check the audit log's hash chain
///   plexichat-node channel dump CHANNEL_ID --data-dir DIR [--json]
///                                                         print the channel's stored log
/// Role changes are written with their audit record (actor "operator") in one synced write.
/// `channel dump` prints each message this node's RocksDB holds for the channel, ascending
/// seq, with the epoch its replica record says it was written in: a header line then
/// "seq S epoch E id ID nonce N" lines, or with --json one JSON object a line
/// {"seq","id","nonce","epoch","author_id","created_at"} and nothing else.
/// Returns nullopt when argv[1] is not "admin", "audit" or "channel" (a normal node start);
/// otherwise the exit code: 0 on success (one line on stdout, or the dump), 1 on failure (one
/// line on stderr: for verify, the first altered or missing record; for dump, a channel the
/// directory knows nothing of), 2 for a usage error.
std::optional<int> run_offline_command(int argc, const char* const* argv);

}  // namespace plexichat::tools
