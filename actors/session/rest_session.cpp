#include "actors/session/rest_session.hpp"

#include <caf/event_based_actor.hpp>

#include "actors/account_types.hpp"
#include "actors/atoms.hpp"
#include "actors/channel/channel_client.hpp"
#include "actors/directory/directory.hpp"
#include "actors/message_types.hpp"
#include "actors/session/account_routes.hpp"
#include "actors/session/authenticate.hpp"
#include "actors/session/rest_security.hpp"
#include "actors/wire.hpp"

namespace plexichat::actors::session {

namespace {

using nlohmann::json;

rest_reply error_reply(const api_error& e) {
  return {http_status(e.code), wire::error_body(e), {}};
}

/// Runs a request to `dest` and replies with `make(answer)` or with the error.
template <class T, class Make, class... Ts>
void ask(caf::event_based_actor* self, const caf::actor& dest, const rest_responder& reply,
         Make make, Ts&&... xs) {
  self->request(dest, caf::infinite, std::forward<Ts>(xs)...)
      .then([reply, make](T& answer) { reply(make(answer)); },
            [reply](caf::error& err) { reply(error_reply(to_api_error(err))); });
}

/// Runs a request on a channel's actor and replies with `make(answer)` or with the error.
template <class T, class Make>
void ask_channel(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                 const rest_responder& reply, Make make, caf::message msg) {
  channel::call_channel(
      self, ctx, c.channel_id, std::move(msg), [reply, make](T& answer) { reply(make(answer)); },
      [reply](const api_error& e) { reply(error_reply(e)); });
}

void run_channel_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                       const runtime::token_claims& who, const rest_responder& reply) {
  const auto& uid = who.user_id;
  switch (c.route) {
    case rest_route::get_channel:
      return ask_channel<channel_view>(
          self, ctx, c, reply,
          [](channel_view& v) {
            return rest_reply{200, {{"channel", wire::channel(v.record, v.last_seq)}}, {}};
          },
          caf::make_message(info_atom::value, uid));
    case rest_route::join_channel:
    case rest_route::add_member:
    case rest_route::leave_channel:
    case rest_route::remove_member:
    case rest_route::update_channel:
      return run_membership(self, ctx, c, who, reply);
    case rest_route::admin_list_users:
    case rest_route::admin_set_role:
    case rest_route::admin_audit:
    case rest_route::admin_audit_verify:
    case rest_route::admin_backups:
    case rest_route::admin_backup_create:
    case rest_route::admin_backup_verify:
    case rest_route::admin_backup_repair:
      return run_admin(self, ctx, c, who, reply);
    case rest_route::history:
      return ask_channel<storage::message_page>(
          self, ctx, c, reply,
          [](storage::message_page& p) {
            json msgs = json::array();
            for (auto& m : p.messages) {
              msgs.push_back(wire::message(m));
            }
            return rest_reply{200, {{"messages", msgs}, {"has_more", p.has_more}}, {}};
          },
          caf::make_message(history_atom::value, uid, history_query{c.after, c.before, c.limit}));
    case rest_route::post_message:
      return channel::post_to_channel(
          self, ctx, c.channel_id, post_request{uid, who.username, c.content, c.nonce},
          [reply](storage::message_record& m) {
            reply(rest_reply{201, {{"message", wire::message(m)}}, {}});
          },
          [reply](const api_error& e) { reply(error_reply(e)); });
    default:
      return reply(error_reply({api_errc::not_found, "no such route"}));
  }
}

void run_authenticated(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                       const runtime::token_claims& who, const rest_responder& reply) {
  switch (c.route) {
    case rest_route::logout:
      return run_logout(self, ctx, c, who, reply);
    case rest_route::me:
      return run_me(self, ctx, who, reply);
    case rest_route::create_channel:
      return run_membership(self, ctx, c, who, reply);
    case rest_route::list_channels:
      return ask<std::vector<channel_view>>(
          self, ctx->channels, reply,
          [](std::vector<channel_view>& views) {
            json list = json::array();
            for (auto& v : views) {
              list.push_back(wire::channel(v.record, v.last_seq));
            }
            return rest_reply{200, {{"channels", list}}, {}};
          },
          list_atom::value, who.user_id);
    default:
      if (run_account_route(self, ctx, c, who, reply)) {
        return;
      }
      return run_channel_route(self, ctx, c, who, reply);
  }
}

/// rate_limits.user: a 429 with Retry-After once the user's bucket is empty.
std::optional<rest_reply> over_user_rate(const node_context& ctx,
                                         const runtime::token_claims& who) {
  if (ctx.limits == nullptr) {
    return std::nullopt;
  }
  auto wait = ctx.limits->take_user(who.user_id);
  if (!wait) {
    return std::nullopt;
  }
  return rest_reply{429,
                    wire::error_body({api_errc::rate_limited, "too many requests; retry later"}),
                    {{"Retry-After", std::to_string(*wait)}}};
}

/// The calls that change nothing, which a node cut off from its cluster may still answer.
bool is_read(rest_route r) {
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
      return true;
    default:
      return false;
  }
}

void run(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
         const rest_responder& reply) {
  if (!is_read(c.route) && cluster::refuses_writes(ctx->cluster_view)) {
    return reply(error_reply({api_errc::unavailable, cluster::no_majority}));
  }
  if (c.route == rest_route::register_user) {
    return run_register(self, ctx, c, reply);
  }
  if (c.route == rest_route::login) {
    return run_login(self, ctx, c, reply);
  }
  auto who = authenticate(*ctx, c.token);
  if (auto* err = std::get_if<api_error>(&who)) {
    return reply(error_reply(*err));
  }
  auto& claims = std::get<runtime::token_claims>(who);
  if (auto refusal = over_user_rate(*ctx, claims)) {
    return reply(std::move(*refusal));
  }
  // The session's last use, kept by the account's directory (persisted at most once a
  // minute).
  if (auto dir = directory::account_directory(*ctx, claims.username)) {
    self->send(*dir, touch_atom::value, claims.user_id, claims.token_id);
  }
  run_authenticated(self, ctx, c, claims, reply);
}

caf::behavior rest_behavior(caf::event_based_actor* self, node_context* ctx) {
  return {
      [self, ctx](rest_atom, const rest_call& c, const rest_responder& reply) {
        run(self, ctx, c, reply);
      },
  };
}

}  // namespace

caf::actor spawn_rest_session(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn(rest_behavior, ctx);
}

}  // namespace plexichat::actors::session
