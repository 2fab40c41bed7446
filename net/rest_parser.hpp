#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "actors/api_error.hpp"
#include "actors/session/rest_call.hpp"
#include "config/node_config.hpp"

namespace plexichat::net {

/// An HTTP request as the router sees it.
struct http_input {
  std::string_view method;         ///< "GET", "POST", ...
  std::string_view target;         ///< path and query, e.g. "/api/v1/channels?x=1"
  std::string_view authorization;  ///< the Authorization header, or empty
  std::string_view body;
};

/// A refused request: the error, and for 405 the methods the path allows.
struct rest_refusal {
  actors::api_error error;
  int status = 400;
  std::string allow;  ///< for 405
};

/// Routes and validates a REST request of PROTOCOL.md into a typed call. Never throws.
std::variant<actors::session::rest_call, rest_refusal> parse_rest(
    const http_input& in, const config::limits_config& limits);

}  // namespace plexichat::net
