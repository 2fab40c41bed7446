#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/api_error.hpp"
#include "actors/session/rest_call.hpp"
#include "config/node_config.hpp"

/// Request checks of the account-security routes (docs/API.md "Account security"): the bodies
/// of second-factor, password-change and login calls, and the query of revoking sessions.
/// Pure and thread-safe; each failure is an invalid_request error naming the field.
namespace plexichat::net {

/// Longest second-factor code accepted (TOTP codes are 6 digits, backup codes 10 characters,
/// so this only bounds what a client may send).
inline constexpr std::size_t max_code_bytes = 64;

/// Whether the route's body is read by read_account_body.
bool is_account_body_route(actors::session::rest_route route);

/// Reads the body of totp_confirm ({"code"}), totp_disable ({"password", "code"}) or
/// change_password ({"old_password", "new_password"}: the new one must be valid UTF-8 of
/// limits.min_password_chars code points to limits.max_password_bytes bytes).
std::optional<actors::api_error> read_account_body(const nlohmann::json& body,
                                                   actors::session::rest_call& c,
                                                   const config::limits_config& limits);

/// Login's optional "otp" (a string of at most max_code_bytes bytes) into c.otp.
std::optional<actors::api_error> read_login_otp(const nlohmann::json& body,
                                                actors::session::rest_call& c);

/// The query of DELETE /auth/sessions: keep_current=true|false (default false); other keys
/// are ignored.
std::optional<actors::api_error> read_revoke_query(std::string_view query,
                                                   actors::session::rest_call& c);

}  // namespace plexichat::net
