#include "actors/session/account_routes.hpp"

#include "actors/account_types.hpp"
#include "actors/atoms.hpp"
#include "actors/directory/directory.hpp"
#include "actors/message_types.hpp"
#include "actors/session/rest_security.hpp"
#include "actors/wire.hpp"

namespace plexichat::actors::session {

namespace {

using directory::account_timeout;
using nlohmann::json;

/// Asks the directory that serves `who`'s account and replies with `make(answer)` or with
/// the error.
template <class T, class Make, class... Ts>
void ask_directory(caf::event_based_actor* self, node_context* ctx,
                   const runtime::token_claims& who, const rest_responder& reply, Make make,
                   Ts&&... xs) {
  auto dir = directory::account_directory(*ctx, who.username);
  if (!dir) {
    reply(refusal(to_api_error(dir.error())));
    return;
  }
  self->request(*dir, account_timeout, std::forward<Ts>(xs)...)
      .then([reply, make](T& answer) { reply(make(answer)); },
            [reply](caf::error& err) {
              auto e = to_api_error(err);
              reply({http_status(e.code), wire::error_body(e), {}});
            });
}

/// Like ask_directory, for a change the audit log records: the answer is sent once `done`
/// is durable. A refused password or code (403) is recorded too, as `failed_type`.
template <class T, class Make, class... Ts>
void ask_audited(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                 const runtime::token_claims& who, const rest_responder& reply, Make make,
                 audit::audit_entry done, std::string failed_type, Ts&&... xs) {
  auto dir = directory::account_directory(*ctx, who.username);
  if (!dir) {
    reply(refusal(to_api_error(dir.error())));
    return;
  }
  self->request(*dir, account_timeout, std::forward<Ts>(xs)...)
      .then([self, ctx, reply, make,
             done](T& answer) { reply_audited(self, ctx, done, reply, make(answer)); },
            [self, ctx, c, reply, done, failed_type](caf::error& err) {
              auto e = to_api_error(err);
              if (e.code != api_errc::forbidden || failed_type.empty()) {
                return reply(refusal(e));
              }
              nlohmann::json detail = {{"reason", e.message}};
              reply_audited(self, ctx,
                            audit_entry_for(c, failed_type, done.actor_id, done.subject, detail),
                            reply, refusal(e));
            });
}

rest_reply no_content(bool) {
  return {204, nullptr, {}};
}

void run_mfa_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                   const runtime::token_claims& who, const rest_responder& reply) {
  const auto& uid = who.user_id;
  switch (c.route) {
    case rest_route::mfa_status:
      return ask_directory<mfa_status>(
          self, ctx, who, reply,
          [](mfa_status& s) {
            return rest_reply{
                200,
                {{"totp_enabled", s.totp_enabled}, {"backup_codes_left", s.backup_codes_left}},
                {}};
          },
          mfa_atom::value, uid);
    case rest_route::totp_enroll:
      return ask_directory<totp_enrolment>(
          self, ctx, who, reply,
          [](totp_enrolment& e) {
            return rest_reply{
                200,
                {{"secret", e.secret}, {"otpauth_uri", e.otpauth_uri}, {"qr_svg", e.qr_svg}},
                {}};
          },
          enroll_atom::value, uid, who.username);
    case rest_route::totp_confirm:
      return ask_audited<std::vector<std::string>>(
          self, ctx, c, who, reply,
          [](std::vector<std::string>& codes) {
            return rest_reply{200, {{"backup_codes", codes}}, {}};
          },
          audit_entry_for(c, "mfa.enable", uid, uid, {{"method", "totp"}}), "mfa.enable_failed",
          confirm_atom::value, uid, c.code);
    default:
      return ask_audited<bool>(self, ctx, c, who, reply, no_content,
                               audit_entry_for(c, "mfa.disable", uid, uid, {{"method", "totp"}}),
                               "mfa.disable_failed", disable_atom::value, uid, c.password, c.code);
  }
}

void run_session_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                       const runtime::token_claims& who, const rest_responder& reply) {
  const auto& uid = who.user_id;
  switch (c.route) {
    case rest_route::list_sessions:
      return ask_directory<std::vector<storage::session_record>>(
          self, ctx, who, reply,
          [current = who.token_id](std::vector<storage::session_record>& sessions) {
            json list = json::array();
            for (auto& s : sessions) {
              list.push_back(session_json(s, s.id == current));
            }
            return rest_reply{200, {{"sessions", list}}, {}};
          },
          sessions_atom::value, uid);
    case rest_route::revoke_session:
      return ask_audited<bool>(
          self, ctx, c, who, reply, no_content,
          audit_entry_for(c, "session.revoke", uid, uid, {{"session_id", c.session_id}}), "",
          revoke_atom::value, uid, c.session_id);
    case rest_route::revoke_sessions:
      return ask_audited<bool>(
          self, ctx, c, who, reply, no_content,
          audit_entry_for(c, "session.revoke_all", uid, uid, {{"keep_current", c.keep_current}}),
          "", revokeall_atom::value, uid, c.keep_current ? who.token_id : std::string{});
    default:
      return ask_audited<bool>(
          self, ctx, c, who, reply, no_content,
          audit_entry_for(c, "auth.password_change", uid, uid, nlohmann::json::object()),
          "auth.password_change_failed", password_atom::value,
          password_change{uid, who.token_id, c.password, c.new_password});
  }
}

}  // namespace

json session_json(const storage::session_record& s, bool current) {
  return {{"id", s.id},
          {"device", s.device},
          {"address", s.address},
          {"created_at", s.created_at},
          {"last_used_at", s.last_used_at},
          {"expires_at", s.expires_at},
          {"current", current}};
}

bool run_account_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                       const runtime::token_claims& who, const rest_responder& reply) {
  switch (c.route) {
    case rest_route::mfa_status:
    case rest_route::totp_enroll:
    case rest_route::totp_confirm:
    case rest_route::totp_disable:
      run_mfa_route(self, ctx, c, who, reply);
      return true;
    case rest_route::list_sessions:
    case rest_route::revoke_session:
    case rest_route::revoke_sessions:
    case rest_route::change_password:
      run_session_route(self, ctx, c, who, reply);
      return true;
    default:
      return false;
  }
}

}  // namespace plexichat::actors::session
