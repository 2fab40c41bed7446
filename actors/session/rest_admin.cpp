// The admin routes (rest_security.hpp): users and their roles, the audit log.
#include "actors/atoms.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/backup/backup_json.hpp"
#include "actors/inspector/inspector_reports.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "actors/session/rest_security.hpp"
#include "actors/wire.hpp"

namespace plexichat::actors::session {

namespace {

using nlohmann::json;

template <class T, class Make>
void ask(caf::event_based_actor* self, const caf::actor& dest, const rest_responder& reply,
         Make make, caf::message msg) {
  self->request(dest, caf::infinite, std::move(msg))
      .then([reply, make](T& answer) { reply(make(answer)); },
            [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

void list_users(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                const rest_responder& reply) {
  auto* db = ctx->db;
  run_blocking(
      self, ctx->blocking,
      [db, cursor = c.cursor, limit = c.limit] {
        auto page = db->list_users(cursor, limit);
        json users = json::array();
        for (auto& u : page.users) {
          auto j = wire::user(u);
          j["role"] = db->get_role(u.id).value_or("user");
          users.push_back(j);
        }
        json body = {{"users", users}, {"has_more", page.has_more}};
        if (page.has_more) {
          body["next_cursor"] = page.users.back().id;
        }
        return body.dump();
      },
      [reply](std::string body) {
        reply({200, json::parse(body), {}});
      },
      [reply](api_error e) { reply(refusal(e)); });
}

void set_role(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
              const runtime::token_claims& who, const rest_responder& reply) {
  self->request(ctx->directory, caf::infinite, get_atom::value, c.user_id)
      .then(
          [=](storage::user_record& u) {
            ask<std::string>(
                self, ctx->access, reply,
                [u](std::string& role) {
                  auto user = wire::user(u);
                  user["role"] = role;
                  return rest_reply{200, {{"user", user}}, {}};
                },
                caf::make_message(grant_atom::value, who.user_id, u.id, c.role, c.remote_address));
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

rest_reply report_reply(backup::verify_report& r) {
  return {200, backup::report_json(r), {}};
}

void run_backup_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                      const rest_responder& reply) {
  if (!ctx->backups) {
    return reply(refusal({api_errc::not_found, "backups need a cluster (cluster_listen)"}));
  }
  switch (c.route) {
    case rest_route::admin_backups:
      return ask<std::vector<backup::backup_status>>(
          self, ctx->backups, reply,
          [](std::vector<backup::backup_status>& list) {
            json backups = json::array();
            for (auto& b : list) {
              backups.push_back(backup::status_json(b));
            }
            return rest_reply{200, {{"backups", backups}}, {}};
          },
          caf::make_message(list_atom::value));
    case rest_route::admin_backup_create:
      return ask<backup::backup_status>(
          self, ctx->backups, reply,
          [](backup::backup_status& b) {
            return rest_reply{202, {{"backup", backup::status_json(b)}}, {}};
          },
          caf::make_message(create_atom::value));
    case rest_route::admin_backup_verify:
      return ask<backup::verify_report>(self, ctx->backups, reply, report_reply,
                                        caf::make_message(verify_atom::value, c.backup_id));
    default:
      return ask<backup::verify_report>(self, ctx->backups, reply, report_reply,
                                        caf::make_message(repair_atom::value, c.backup_id));
  }
}

void run_admin_route(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
                     const runtime::token_claims& who, const rest_responder& reply) {
  switch (c.route) {
    case rest_route::admin_list_users:
      return list_users(self, ctx, c, reply);
    case rest_route::admin_set_role:
      return set_role(self, ctx, c, who, reply);
    case rest_route::admin_audit:
      return ask<storage::audit_page>(
          self, ctx->audit, reply,
          [](storage::audit_page& p) {
            json records = json::array();
            for (auto& r : p.records) {
              records.push_back(inspector::audit_record_json(r));
            }
            return rest_reply{200, {{"records", records}, {"has_more", p.has_more}}, {}};
          },
          caf::make_message(read_atom::value, c.after.value_or(0), c.limit));
    case rest_route::admin_audit_verify:
      return ask<audit::verify_result>(
          self, ctx->audit, reply,
          [](audit::verify_result& r) {
            return rest_reply{200, inspector::verify_answer(r), {}};
          },
          caf::make_message(verify_atom::value));
    case rest_route::admin_backups:
    case rest_route::admin_backup_create:
    case rest_route::admin_backup_verify:
    case rest_route::admin_backup_repair:
      return run_backup_route(self, ctx, c, reply);
    default:
      return reply(refusal({api_errc::not_found, "no such route"}));
  }
}

}  // namespace

void run_admin(caf::event_based_actor* self, node_context* ctx, const rest_call& c,
               const runtime::token_claims& who, const rest_responder& reply) {
  self->request(ctx->access, caf::infinite, role_atom::value, who.user_id)
      .then(
          [=](std::string& role) {
            if (role != "admin") {
              return reply(refusal({api_errc::forbidden, "only node admins may do this"}));
            }
            run_admin_route(self, ctx, c, who, reply);
          },
          [reply](caf::error& err) { reply(refusal(to_api_error(err))); });
}

}  // namespace plexichat::actors::session
