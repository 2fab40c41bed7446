#pragma once

/// plexichat-console: an operator's view of a PlexiChat cluster. It is a CAF node that
/// connects to a node's cluster listener (mutual TLS with a certificate of the cluster's CA,
/// or the plain middleman with --insecure), asks that node's cluster actor for its inspector
/// and talks to it, and to the inspectors of the other members, by messages.
namespace plexichat::tools::console {

/// Runs the console: one command from the command line, or an interactive prompt (libedit)
/// without one. Returns the exit code: 0 on success, 1 when the command failed (unreachable
/// node, refused certificate, unknown node, actor or user, a damaged audit log), 2 for a
/// usage error (unknown command or option).
int run_console(int argc, const char* const* argv);

}  // namespace plexichat::tools::console
