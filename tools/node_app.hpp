#pragma once

namespace plexichat::tools {

/// plexichat-node: parses the command line, opens the data directory, starts the actors and
/// the client listener, serves until SIGINT or SIGTERM, then stops in reverse order of
/// start. Returns the process exit code: 0 after a graceful stop, 1 when the node could not
/// start (one clear line on stderr, nothing written), 2 for a usage error.
int run_node(int argc, const char* const* argv);

}  // namespace plexichat::tools
