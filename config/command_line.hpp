#pragma once

#include <string>

#include "config/node_config.hpp"

namespace plexichat::config {

/// What parse_command_line decided. Either `config` holds the final, validated config
/// (exit_now false), or the program should print `output` (to stdout when exit_code is 0,
/// to stderr otherwise) and exit with `exit_code`: 0 after --help or --version, 2 after a
/// usage error (unknown flag, missing value, --certs-dir with --insecure, ...).
struct command_line_result {
  node_config config;
  bool exit_now = false;
  int exit_code = 0;
  std::string output;
};

/// Parses the node's command line (PROTOCOL.md "Running a node"):
///   [--config FILE] [--name NAME] [--data-dir DIR] [--listen HOST:PORT]
///   [--cluster-listen HOST:PORT] [--seeds HOST:PORT,HOST:PORT...]
///   [--certs-dir DIR | --insecure] [--log-level LEVEL] [--help] [--version]
/// Starts from the defaults, or from FILE via load_yaml_file; each flag given then overrides
/// its key (--insecure also clears the file's certs_dir, --certs-dir its insecure; an empty
/// --seeds clears the file's seeds). The result is checked with validate().
/// Throws config_error for a bad file or value, naming the flag when a flag set it
/// ("config: --listen: port must be a number up to 65535, got '99999'"), else the key and,
/// when --config was given, the file. Called once at start-up, on the main thread.
command_line_result parse_command_line(int argc, const char* const* argv);

}  // namespace plexichat::config
