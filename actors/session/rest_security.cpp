#include "actors/session/rest_security.hpp"

#include "actors/atoms.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/channel/channel_client.hpp"
#include "actors/channel/channel_rules.hpp"
#include "actors/message_types.hpp"
#include "actors/wire.hpp"

namespace plexichat::actors::session {

namespace {

using nlohmann::json;

rest_reply no_content() {
  return {204, nullptr, {}};
}

/// Asks the access actor whether `user_id` is a node admin, then runs `then(is_admin)`.
template <class Then>
void with_role(caf::event_based_actor* self, node_context* ctx, const std::string& user_id,
               const rest_responder& reply, Then then) {
  self->request(ctx->access, caf::infinite, role_atom::value, user_id)
      .then([then](std::string& role) mutable { then(role == "admin"); },
            [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

/// Sends `msg` to the call's channel; on success records `entry` and replies `ok`.
template <class T>
void channel_audited(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                     caf::message msg, audit::audit_entry entry, const rest_responder& reply,
                     std::function<rest_reply(T&)> ok) {
  channel::call_channel(
      self, ctx, c.channel_id, std::move(msg),
      [self, ctx, entry, reply, ok](T& answer) mutable {
        reply_audited(self, ctx, std::move(entry), reply, ok(answer));
      },
      [reply](const api_error& e) { reply(refusal(e)); });
}

void member_change(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                   const runtime::token_claims& who, const rest_responder& reply, bool adding) {
  with_role(self, ctx, who.user_id, reply, [=](bool admin) {
    auto type = adding ? "channel.member_add" : "channel.member_remove";
    json detail = {{"user_id", c.user_id}, {"as_admin", admin}};
    auto msg = adding ? caf::make_message(add_atom::value, who.user_id, c.user_id, admin)
                      : caf::make_message(kick_atom::value, who.user_id, c.user_id, admin);
    channel_audited<bool>(self, ctx, c, std::move(msg),
                          audit_entry_for(c, type, who.user_id, c.channel_id, detail), reply,
                          [](bool&) { return no_content(); });
  });
}

void add_member(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                const runtime::token_claims& who, const rest_responder& reply) {
  // The target must exist before anyone can be made a member.
  self->request(ctx->directory, caf::infinite, get_atom::value, c.user_id)
      .then([=](storage::user_record&) { member_change(self, ctx, c, who, reply, true); },
            [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

void update_channel(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                    const runtime::token_claims& who, const rest_responder& reply) {
  channel::channel_patch patch{c.set_name, c.name, c.set_topic, c.topic};
  with_role(self, ctx, who.user_id, reply, [=](bool admin) {
    json detail = {{"as_admin", admin}};
    if (patch.set_name) {
      detail["name"] = patch.name;
    }
    if (patch.set_topic) {
      detail["topic"] = patch.topic;
    }
    channel_audited<channel_view>(
        self, ctx, c, caf::make_message(update_atom::value, who.user_id, admin, patch),
        audit_entry_for(c, "channel.update", who.user_id, c.channel_id, detail), reply,
        [](channel_view& v) {
          return rest_reply{200, {{"channel", wire::channel(v.record, v.last_seq)}}, {}};
        });
  });
}

void create_channel(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                    const runtime::token_claims& who, const rest_responder& reply) {
  self->request(ctx->channels, caf::infinite, create_atom::value, who.user_id, c.name, c.topic,
                c.is_private)
      .then(
          [=](channel_view& v) {
            json detail = {{"name", v.record.name}, {"private", v.record.is_private}};
            reply_audited(
                self, ctx, audit_entry_for(c, "channel.create", who.user_id, v.record.id, detail),
                reply, rest_reply{201, {{"channel", wire::channel(v.record, v.last_seq)}}, {}});
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

}  // namespace

rest_reply refusal(const api_error& e) {
  return {http_status(e.code), wire::error_body(e), {}};
}

audit::audit_entry audit_entry_for(const rest_call& c, std::string type, std::string actor_id,
                                   std::string subject, const json& detail) {
  return {std::move(type), std::move(actor_id), std::move(subject), c.remote_address,
          detail.is_null() ? std::string("{}") : detail.dump()};
}

void reply_audited(caf::event_based_actor* self, node_context* ctx, audit::audit_entry entry,
                   const rest_responder& reply, rest_reply r) {
  audit::record(self, ctx, std::move(entry), [reply, r = std::move(r)](bool ok) mutable {
    if (!ok) {
      reply(refusal({api_errc::unavailable, "could not write the audit log"}));
      return;
    }
    reply(std::move(r));
  });
}

void run_membership(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                    const runtime::token_claims& who, const rest_responder& reply) {
  const auto& uid = who.user_id;
  auto no_body = [](bool&) { return no_content(); };
  switch (c.route) {
    case rest_route::create_channel:
      return create_channel(self, ctx, c, who, reply);
    case rest_route::join_channel:
      return channel_audited<bool>(self, ctx, c, caf::make_message(join_atom::value, uid),
                                   audit_entry_for(c, "channel.join", uid, c.channel_id, {}), reply,
                                   no_body);
    case rest_route::leave_channel:
      return channel_audited<bool>(self, ctx, c, caf::make_message(leave_atom::value, uid),
                                   audit_entry_for(c, "channel.leave", uid, c.channel_id, {}),
                                   reply, no_body);
    case rest_route::add_member:
      return add_member(self, ctx, c, who, reply);
    case rest_route::remove_member:
      return member_change(self, ctx, c, who, reply, false);
    case rest_route::update_channel:
      return update_channel(self, ctx, c, who, reply);
    default:
      return reply(refusal({api_errc::not_found, "no such route"}));
  }
}

}  // namespace plexichat::actors::session
