#pragma once

// What an accepted REST call may hold (PROTOCOL.md "REST endpoints"), checked independently
// of net/rest_parser.cpp, and a text form of a call for comparing two parses.

#include <string>
#include <string_view>

#include "actors/session/rest_call.hpp"
#include "config/node_config.hpp"
#include "net/rest_parser.hpp"
#include "runtime/text.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace plexichat::fuzz {

using actors::session::rest_call;
using actors::session::rest_route;

/// The method PROTOCOL.md gives each route.
inline std::string_view method_of(rest_route r) {
  switch (r) {
    case rest_route::me:
    case rest_route::list_channels:
    case rest_route::get_channel:
    case rest_route::history:
      return "GET";
    case rest_route::leave_channel:
      return "DELETE";
    default:
      return "POST";
  }
}

/// True for the routes under /channels/{id}.
inline bool has_channel(rest_route r) {
  return r == rest_route::get_channel || r == rest_route::join_channel ||
         r == rest_route::add_member || r == rest_route::leave_channel ||
         r == rest_route::history || r == rest_route::post_message;
}

/// [A-Za-z0-9_-]{1,64}, the node's ids.
inline bool is_id(std::string_view s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

/// A canonical username: 3..32 of [a-z0-9_.-].
inline bool is_username(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

inline void check_credentials(const rest_call& c, const config::limits_config& limits) {
  bool credentials = c.route == rest_route::register_user || c.route == rest_route::login;
  FUZZ_CHECK(credentials == !c.username.empty());
  if (!credentials) {
    FUZZ_CHECK(c.password.empty());
    return;
  }
  FUZZ_CHECK(is_username(c.username));
  FUZZ_CHECK(c.password.size() <= limits.max_password_bytes);
  FUZZ_CHECK(runtime::is_valid_utf8(c.password));
  if (c.route == rest_route::register_user) {
    FUZZ_CHECK(runtime::count_code_points(c.password) >= limits.min_password_chars);
  }
}

inline void check_body_fields(const rest_call& c, const config::limits_config& limits) {
  if (c.route == rest_route::create_channel) {
    FUZZ_CHECK(is_valid_text(c.name, 1, limits.max_channel_name_chars, false));
    FUZZ_CHECK(is_valid_text(c.topic, 0, limits.max_topic_chars, false));
  } else {
    FUZZ_CHECK(c.name.empty() && c.topic.empty() && !c.is_private);
  }
  if (c.route == rest_route::post_message) {
    FUZZ_CHECK(is_valid_text(c.content, 1, limits.max_message_chars, true));
    FUZZ_CHECK(c.nonce.empty() || is_valid_nonce(c.nonce));
  } else {
    FUZZ_CHECK(c.content.empty() && c.nonce.empty());
  }
  FUZZ_CHECK((c.route == rest_route::add_member) == !c.user_id.empty());
  FUZZ_CHECK(c.user_id.empty() || is_id(c.user_id));
}

/// Aborts unless `c`, accepted for `in`, is a call PROTOCOL.md allows within `limits`.
inline void check_rest_call(const net::http_input& in, const rest_call& c,
                            const config::limits_config& limits) {
  FUZZ_CHECK(in.method == method_of(c.route));
  FUZZ_CHECK(in.target.substr(0, 8) == "/api/v1/");
  FUZZ_CHECK(has_channel(c.route) ? is_id(c.channel_id) : c.channel_id.empty());
  FUZZ_CHECK(in.target.find(c.channel_id) != std::string_view::npos);
  check_credentials(c, limits);
  check_body_fields(c, limits);
  if (c.route == rest_route::history) {
    FUZZ_CHECK(c.limit >= 1 && c.limit <= limits.history_max_limit);
  } else {
    FUZZ_CHECK(!c.after && !c.before);
  }
  // The token is the Authorization header after "Bearer ", whatever its case.
  FUZZ_CHECK(c.token.empty() || in.authorization.substr(7) == c.token);
}

inline std::string describe(const rest_call& c) {
  auto seq = [](const std::optional<uint64_t>& s) { return s ? std::to_string(*s) : "-"; };
  return "call " + std::to_string(static_cast<int>(c.route)) + " token=" + c.token +
         " channel=" + c.channel_id + " user=" + c.username + " password=" + c.password +
         " name=" + c.name + " topic=" + c.topic + " private=" + std::to_string(c.is_private) +
         " user_id=" + c.user_id + " content=" + c.content + " nonce=" + c.nonce +
         " after=" + seq(c.after) + " before=" + seq(c.before) +
         " limit=" + std::to_string(c.limit);
}

}  // namespace plexichat::fuzz
