#pragma once

namespace plexichat::bench {

/// The whole of plexichat-bench: parses the command line, starts a node when asked, runs
/// the scenario, prints its table or JSON. Exit status 0 when the run had no problem, 1
/// when it had one, 2 for a bad command line.
int run_bench(int argc, char** argv);

}  // namespace plexichat::bench
