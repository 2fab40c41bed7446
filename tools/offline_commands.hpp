#pragma once

#include <optional>

namespace plexichat::tools {

/// The operator's subcommands for a STOPPED node (the data directory must not be in use):
///   plexichat-node admin grant USERNAME --data-dir DIR    make USERNAME a node admin
///   plexichat-node admin revoke USERNAME --data-dir DIR   make USERNAME a plain user
///   plexichat-node audit verify --data-dir DIR            check the audit log's hash chain
/// Role changes are written with their audit record (actor "operator") in one synced write.
/// Returns nullopt when argv[1] is not "admin" or "audit" (a normal node start); otherwise
/// the exit code: 0 on success (one line on stdout), 1 on failure (one line on stderr: for
/// verify, the first altered or missing record), 2 for a usage error.
std::optional<int> run_offline_command(int argc, const char* const* argv);

}  // namespace plexichat::tools
