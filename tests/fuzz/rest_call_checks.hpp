#pragma once

// What an accepted REST call may hold (PROTOCOL.md "REST endpoints" and the extensions of
// docs/API.md), checked independently of net/rest_parser.cpp, and a text form of a call for
// comparing two parses.

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

/// The method PROTOCOL.md and docs/API.md give each route.
inline std::string_view method_of(rest_route r) {
  switch (r) {
    case rest_route::me:
    case rest_route::list_channels:
    case rest_route::get_channel:
    case rest_route::history:
    case rest_route::mfa_status:
    case rest_route::list_sessions:
    case rest_route::admin_list_users:
    case rest_route::admin_audit:
    case rest_route::admin_audit_verify:
    case rest_route::admin_backups:
    case rest_route::admin_backup_verify:
      return "GET";
    case rest_route::leave_channel:
    case rest_route::remove_member:
    case rest_route::revoke_session:
    case rest_route::revoke_sessions:
      return "DELETE";
    case rest_route::update_channel:
      return "PATCH";
    case rest_route::admin_set_role:
      return "PUT";
    default:
      return "POST";
  }
}

/// True for the routes under /channels/{id}.
inline bool has_channel(rest_route r) {
  return r == rest_route::get_channel || r == rest_route::join_channel ||
         r == rest_route::add_member || r == rest_route::leave_channel ||
         r == rest_route::history || r == rest_route::post_message ||
         r == rest_route::update_channel || r == rest_route::remove_member;
}

/// True for the routes that name a target user.
inline bool has_user(rest_route r) {
  return r == rest_route::add_member || r == rest_route::remove_member ||
         r == rest_route::admin_set_role;
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

/// A password as the node takes it: valid UTF-8 of at most max_password_bytes bytes.
inline bool is_password(std::string_view s, const config::limits_config& limits) {
  return s.size() <= limits.max_password_bytes && runtime::is_valid_utf8(s);
}

/// The second-factor and password-change fields: only on their routes, bounded.
inline void check_account_fields(const rest_call& c, const config::limits_config& limits) {
  constexpr std::size_t max_code = 64;
  bool with_code = c.route == rest_route::totp_confirm || c.route == rest_route::totp_disable;
  FUZZ_CHECK(with_code ? !c.code.empty() && c.code.size() <= max_code : c.code.empty());
  FUZZ_CHECK(c.route == rest_route::login ? c.otp.size() <= max_code : c.otp.empty());
  if (c.route == rest_route::change_password) {
    FUZZ_CHECK(is_password(c.new_password, limits));
    FUZZ_CHECK(runtime::count_code_points(c.new_password) >= limits.min_password_chars);
  } else {
    FUZZ_CHECK(c.new_password.empty());
  }
  if (c.route == rest_route::change_password || c.route == rest_route::totp_disable) {
    FUZZ_CHECK(is_password(c.password, limits));
  }
  FUZZ_CHECK(c.route == rest_route::revoke_session ? is_id(c.session_id) : c.session_id.empty());
  FUZZ_CHECK(c.route == rest_route::revoke_sessions || !c.keep_current);
  FUZZ_CHECK(c.route == rest_route::admin_set_role ? c.role == "admin" || c.role == "user"
                                                   : c.role.empty());
}

inline void check_credentials(const rest_call& c, const config::limits_config& limits) {
  bool credentials = c.route == rest_route::register_user || c.route == rest_route::login;
  FUZZ_CHECK(credentials == !c.username.empty());
  if (!credentials) {
    FUZZ_CHECK(c.password.empty() || c.route == rest_route::change_password ||
               c.route == rest_route::totp_disable);
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
  } else if (c.route == rest_route::update_channel) {
    FUZZ_CHECK(c.set_name || c.set_topic);
    FUZZ_CHECK(!c.set_name || is_valid_text(c.name, 1, limits.max_channel_name_chars, false));
    FUZZ_CHECK(!c.set_topic || is_valid_text(c.topic, 0, limits.max_topic_chars, false));
  } else {
    FUZZ_CHECK(c.name.empty() && c.topic.empty() && !c.is_private);
  }
  if (c.route == rest_route::post_message) {
    FUZZ_CHECK(is_valid_text(c.content, 1, limits.max_message_chars, true));
    FUZZ_CHECK(c.nonce.empty() || is_valid_nonce(c.nonce));
  } else {
    FUZZ_CHECK(c.content.empty() && c.nonce.empty());
  }
  FUZZ_CHECK(has_user(c.route) == !c.user_id.empty());
  FUZZ_CHECK(c.user_id.empty() || is_id(c.user_id));
  check_account_fields(c, limits);
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
  } else if (c.route == rest_route::admin_audit) {
    FUZZ_CHECK(c.limit >= 1 && c.limit <= 1000 && !c.before && c.cursor.empty());
  } else if (c.route == rest_route::admin_list_users) {
    FUZZ_CHECK(c.limit >= 1 && c.limit <= 1000 && !c.after && !c.before);
    FUZZ_CHECK(c.cursor.empty() || is_id(c.cursor));
  } else {
    FUZZ_CHECK(!c.after && !c.before && c.cursor.empty());
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
         " limit=" + std::to_string(c.limit) + " otp=" + c.otp + " code=" + c.code +
         " new_password=" + c.new_password + " session=" + c.session_id +
         " keep_current=" + std::to_string(c.keep_current) +
         " set_name=" + std::to_string(c.set_name) + " set_topic=" + std::to_string(c.set_topic) +
         " role=" + c.role + " cursor=" + c.cursor;
}

}  // namespace plexichat::fuzz
