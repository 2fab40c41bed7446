#pragma once

namespace plexichat::runtime {

/// Blocks SIGINT, SIGTERM and SIGPIPE in the calling thread and every thread it starts later,
/// so that only wait_for_stop_signal() ever sees them. Call first thing in main().
void block_stop_signals();

/// Waits until SIGINT or SIGTERM arrives; returns the signal number.
int wait_for_stop_signal();

/// Sends SIGTERM to this process: a way for code to ask for the graceful stop.
void request_stop();

}  // namespace plexichat::runtime
