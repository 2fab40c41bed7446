#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace plexichat::runtime {

/// Installs the node's logger: one line per event on stderr, with the node's name, so that
/// logs of several nodes on one machine can be told apart. `level` is one of spdlog's names
/// (trace, debug, info, warn, error, critical, off); an unknown name is treated as info.
void init_logging(std::string_view node_name, std::string_view level);

/// Changes the level of the node's logger at run time (the console's log-level command).
void set_log_level(std::string_view level);

}  // namespace plexichat::runtime
