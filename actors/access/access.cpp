#include "actors/access/access.hpp"

#include <algorithm>
#include <memory>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/access/role_table.hpp"
#include "actors/actor_probe.hpp"
#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/message_types.hpp"

namespace plexichat::actors::access {

namespace {

struct access_state {
  node_context* ctx = nullptr;
  role_table roles;
  std::size_t demotions_in_flight = 0;
  static inline const char* name = "access";
};

using access_actor = caf::stateful_actor<access_state>;

bool configured_admin(const node_context* ctx, const std::string& username) {
  const auto& admins = ctx->config->auth.admins;
  return std::find(admins.begin(), admins.end(), username) != admins.end();
}

audit::audit_entry role_entry(const std::string& by, const std::string& target, role from, role to,
                              const std::string& address) {
  nlohmann::json detail = {{"role", std::string(to_string(to))},
                           {"previous", std::string(to_string(from))}};
  return {"role.change", by, target, address, detail.dump()};
}

/// Writes the role change with its audit record; answers the role now held.
caf::result<std::string> change_role(access_actor* self, const std::string& by,
                                     const std::string& target, role to,
                                     const std::string& address) {
  auto& st = self->state;
  auto from = st.roles.of(target);
  if (from == to) {
    return std::string(to_string(to));
  }
  bool demotion = to == role::user;
  if (demotion && st.roles.admin_count() <= 1 + st.demotions_in_flight) {
    return make_error(api_errc::conflict, "the node's last admin cannot be demoted");
  }
  st.demotions_in_flight += demotion ? 1 : 0;
  auto batch = std::make_shared<storage::write_batch>();
  if (to == role::admin) {
    batch->put_role(target, to_string(to));
  } else {
    batch->delete_role(target);
  }
  auto rp = self->make_response_promise<std::string>();
  auto entry = role_entry(by, target, from, to, address);
  self->request(st.ctx->audit, caf::infinite, append_atom::value, std::move(entry), batch)
      .then(
          [self, rp, target, to, demotion, by](uint64_t) mutable {
            self->state.demotions_in_flight -= demotion ? 1 : 0;
            self->state.roles.set(target, to);
            spdlog::info("user {} is now {} (by {})", target, to_string(to), by);
            rp.deliver(std::string(to_string(to)));
          },
          [self, rp, demotion](caf::error& err) mutable {
            self->state.demotions_in_flight -= demotion ? 1 : 0;
            rp.deliver(err);
          });
  return rp;
}

caf::result<std::string> on_register(access_actor* self, const storage::user_record& u,
                                     const std::string& address) {
  auto rp = self->make_response_promise<std::string>();
  nlohmann::json detail = {{"username", u.username}};
  audit::audit_entry entry{"auth.register", u.id, u.id, address, detail.dump()};
  self->request(self->state.ctx->audit, caf::infinite, append_atom::value, std::move(entry))
      .then(
          [self, rp, u, address](uint64_t) mutable {
            if (!configured_admin(self->state.ctx, u.username)) {
              rp.deliver(std::string("user"));
              return;
            }
            self->request(caf::actor_cast<caf::actor>(self), caf::infinite, grant_atom::value,
                          std::string("config"), u.id, std::string("admin"), address)
                .then([rp](std::string& r) mutable { rp.deliver(std::move(r)); },
                      [rp](caf::error& err) mutable { rp.deliver(err); });
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::behavior access_behavior(access_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  self->state.roles = role_table(ctx->db->roles());
  caf::behavior handlers{
      [self](role_atom, const std::string& user_id) {
        return std::string(to_string(self->state.roles.of(user_id)));
      },
      [self](grant_atom, const std::string& by, const std::string& target,
             const std::string& role_name, const std::string& address) -> caf::result<std::string> {
        auto r = parse_role(role_name);
        if (!r) {
          return make_error(api_errc::invalid_request, "role must be \"admin\" or \"user\"");
        }
        return change_role(self, by, target, *r, address);
      },
      [self](register_atom, const storage::user_record& u, const std::string& address) {
        return on_register(self, u, address);
      },
  };
  return probed(self, ctx, "access", std::move(handlers));
}

}  // namespace

caf::actor spawn_access(caf::actor_system& sys, node_context* ctx) {
  // Roles are few (the admins): read once at start, like the channel records.
  return sys.spawn(access_behavior, ctx);
}

}  // namespace plexichat::actors::access
