#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <nlohmann/json.hpp>

namespace plexichat::actors::session {

/// The REST routes of PROTOCOL.md.
enum class rest_route {
  register_user,
  login,
  logout,
  me,
  create_channel,
  list_channels,
  get_channel,
  join_channel,
  add_member,
  leave_channel,
  history,
  post_message,
  update_channel,       ///< PATCH /channels/{id}: owner or admin
  remove_member,        ///< DELETE /channels/{id}/members/{user_id}: owner or admin
  admin_list_users,     ///< GET /admin/users
  admin_set_role,       ///< PUT /admin/users/{id}/role
  admin_audit,          ///< GET /admin/audit
  admin_audit_verify,   ///< GET /admin/audit/verify
  admin_backups,        ///< GET /admin/backups
  admin_backup_create,  ///< POST /admin/backups
  admin_backup_verify,  ///< GET /admin/backups/{id|latest}/verify
  admin_backup_repair,  ///< POST /admin/backups/{id|latest}/repair
  mfa_status,           ///< GET /auth/mfa
  totp_enroll,          ///< POST /auth/mfa/totp/enroll
  totp_confirm,         ///< POST /auth/mfa/totp/confirm
  totp_disable,         ///< POST /auth/mfa/totp/disable
  change_password,      ///< POST /auth/password
  list_sessions,        ///< GET /auth/sessions
  revoke_session,       ///< DELETE /auth/sessions/{id}
  revoke_sessions,      ///< DELETE /auth/sessions[?keep_current=true]
};

/// One REST request, parsed and validated by the net layer: only the fields of its route
/// are set.
struct rest_call {
  rest_route route = rest_route::me;
  std::string token;  ///< bearer token, if any
  std::string channel_id;
  std::string username;       ///< lowercase
  std::string password;       ///< login, register, disable; the old one for change_password
  std::string otp;            ///< login's second-factor code, may be empty
  std::string code;           ///< totp_confirm's and totp_disable's code
  std::string new_password;   ///< change_password
  std::string session_id;     ///< revoke_session
  bool keep_current = false;  ///< revoke_sessions: keep the caller's own session
  std::string name;
  std::string topic;
  bool is_private = false;
  std::string user_id;     ///< add_member's, remove_member's and admin_set_role's target
  std::string backup_id;   ///< admin_backup_verify's and _repair's; "" = the newest
  bool set_name = false;   ///< update_channel: `name` given
  bool set_topic = false;  ///< update_channel: `topic` given
  std::string role;        ///< admin_set_role: "admin" or "user"
  std::string cursor;      ///< admin_list_users: the last user id of the previous page
  std::string content;
  std::string nonce;
  std::optional<uint64_t> after;
  std::optional<uint64_t> before;
  uint32_t limit = 50;
  std::string remote_address;  ///< the client's IP address, as text
  std::string user_agent;      ///< the User-Agent header, cut to 256 bytes
};

/// The answer: status, JSON body (null for none), extra headers.
struct rest_reply {
  int status = 200;
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Called once per call with its reply; posts onto the connection's strand (net layer).
using rest_responder = std::function<void(rest_reply)>;

}  // namespace plexichat::actors::session

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::session::rest_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::session::rest_responder)
