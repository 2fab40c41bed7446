// Sign-up, login, logout and /users/me, with their audit records (rest_security.hpp).
#include "actors/session/rest_security.hpp"

#include "actors/account_types.hpp"
#include "actors/atoms.hpp"
#include "actors/directory/directory.hpp"
#include "actors/message_types.hpp"
#include "actors/wire.hpp"
#include "runtime/token.hpp"

namespace plexichat::actors::session {

namespace {

using nlohmann::json;

void login_failed(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                  const rest_responder& reply, const api_error& e) {
  if (e.code != api_errc::unauthorized) {
    return reply(refusal(e));
  }
  json detail = {{"username", c.username}, {"reason", e.message}, {"user_agent", c.user_agent}};
  reply_audited(self, ctx, audit_entry_for(c, "auth.login_failed", "", c.username, detail), reply,
                refusal(e));
}

json with_role(const storage::user_record& u, const std::string& role) {
  auto user = wire::user(u);
  user["role"] = role;
  return user;
}

void login_ok(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
              const rest_responder& reply, const login_result& r, const std::string& role) {
  json detail = {{"username", r.user.username}, {"user_agent", c.user_agent}};
  rest_reply ok{
      200,
      {{"token", r.token}, {"expires_at", r.expires_at}, {"user", with_role(r.user, role)}},
      {}};
  reply_audited(self, ctx, audit_entry_for(c, "auth.login", r.user.id, r.user.id, detail), reply,
                std::move(ok));
}

}  // namespace

void run_register(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                  const rest_responder& reply) {
  self->request(ctx->directory, caf::infinite, register_atom::value, c.username, c.password)
      .then(
          [self, ctx, c, reply](storage::user_record& u) {
            // The access actor records the sign-up and applies auth.admins before we answer.
            self->request(ctx->access, caf::infinite, register_atom::value, u, c.remote_address)
                .then(
                    [reply, u](std::string& role) {
                      reply({201, {{"user", with_role(u, role)}}, {}});
                    },
                    [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

void run_login(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
               const rest_responder& reply) {
  auto dir = directory::account_directory(*ctx, c.username);
  if (!dir) {
    reply(refusal(to_api_error(dir.error())));
    return;
  }
  bool remote = *dir != ctx->directory;
  self->request(*dir, directory::account_timeout, login_atom::value,
                login_request{c.username, c.password, c.otp, c.user_agent, c.remote_address})
      .then(
          [self, ctx, c, reply, remote](login_result& r) {
            if (remote) {
              // The account's home made the session; this node signs the token, as it signs
              // every token it hands out, so that a token does not depend on the home's key.
              runtime::token_claims claims{r.user.id,         r.user.username, r.token_id,
                                           ctx->config->name, r.issued_at,     r.expires_at / 1000};
              r.token = ctx->signer->issue(claims);
            }
            self->request(ctx->access, caf::infinite, role_atom::value, r.user.id)
                .then([self, ctx, c, reply,
                       r](std::string& role) { login_ok(self, ctx, c, reply, r, role); },
                      [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
          },
          [self, ctx, c, reply](caf::error& err) {
            login_failed(self, ctx, c, reply, to_api_error(err));
          });
}

void run_logout(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                const runtime::token_claims& who, const rest_responder& reply) {
  auto dir = directory::account_directory(*ctx, who.username);
  if (!dir) {
    reply(refusal(to_api_error(dir.error())));
    return;
  }
  self->request(*dir, directory::account_timeout, logout_atom::value, who.user_id, who.token_id,
                who.expires_at * 1000)
      .then(
          [self, ctx, c, who, reply](bool) {
            json detail = {{"token_id", who.token_id}};
            reply_audited(self, ctx,
                          audit_entry_for(c, "auth.logout", who.user_id, who.user_id, detail),
                          reply, {204, nullptr, {}});
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

void run_me(caf::event_based_actor* self, node_context* ctx, const runtime::token_claims& who,
            const rest_responder& reply) {
  self->request(ctx->directory, caf::infinite, get_atom::value, who.user_id)
      .then(
          [self, ctx, reply](storage::user_record& u) {
            self->request(ctx->access, caf::infinite, role_atom::value, u.id)
                .then(
                    [reply, u](std::string& role) {
                      reply({200, {{"user", with_role(u, role)}}, {}});
                    },
                    [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

}  // namespace plexichat::actors::session
