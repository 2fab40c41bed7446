#pragma once

#include <string_view>

#include "actors/session/client_frame.hpp"
#include "config/node_config.hpp"

namespace plexichat::net {

/// Parses and validates one client WebSocket text frame (PROTOCOL.md "WebSocket"). Never
/// throws; a frame that is not JSON comes back with `fatal` set.
actors::session::parsed_frame parse_client_frame(std::string_view text,
                                                 const config::limits_config& limits);

}  // namespace plexichat::net
