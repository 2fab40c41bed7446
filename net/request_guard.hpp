#pragma once

#include <optional>
#include <string>

#include "actors/session/rest_call.hpp"
#include "runtime/request_limits.hpp"

namespace plexichat::net {

/// The 429 `rate_limited` answer with its Retry-After header (whole seconds).
actors::session::rest_reply rate_limited_reply(long retry_after, const std::string& message);

/// The per-address REST limit, checked before a request is parsed: nullopt to go on, else
/// the 429 to send. Runs on the connection's strand; `limits` may be null (no limits).
std::optional<actors::session::rest_reply> check_address(runtime::request_limits* limits,
                                                         const std::string& address);

/// For a login call: admits the attempt (per username, existing or not, and per address)
/// and wraps `reply` so that the answer's status records how it ended (200 succeeded, 401
/// failed, else neither); or returns the 429 to send, without asking anyone. Other calls
/// pass untouched.
std::optional<actors::session::rest_reply> admit_login(runtime::request_limits* limits,
                                                       const actors::session::rest_call& call,
                                                       actors::session::rest_responder& reply);

}  // namespace plexichat::net
