#include "actors/access/offline_roles.hpp"

#include <nlohmann/json.hpp>

#include "actors/audit/audit_store.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::access {

offline_change change_role_offline(storage::database& db, const std::string& key,
                                   const std::string& user_id, bool to_admin,
                                   const std::string& actor) {
  const std::string from = db.get_role(user_id).value_or("user");
  const std::string to = to_admin ? "admin" : "user";
  if (from == to) {
    return {};
  }
  audit::audit_chain chain(key, audit::load_head(db));
  nlohmann::json detail = {{"role", to}, {"previous", from}};
  auto rec = chain.seal({"role.change", actor, user_id, "", detail.dump()}, runtime::now_ms());
  storage::write_batch batch;
  if (to_admin) {
    batch.put_role(user_id, to);
  } else {
    batch.delete_role(user_id);
  }
  audit::add_record(batch, rec);
  if (auto st = db.write(batch, true); !st.ok()) {
    return {false, 0, "cannot write the role of " + user_id + ": " + st.message};
  }
  return {true, rec.seq, {}};
}

std::string apply_config_admins(storage::database& db, const std::string& key,
                                const std::vector<std::string>& usernames) {
  for (const auto& name : usernames) {
    auto id = db.find_user_id(name);
    if (!id) {
      continue;
    }
    auto change = change_role_offline(db, key, *id, true, "config");
    if (!change.error.empty()) {
      return change.error;
    }
  }
  return {};
}

}  // namespace plexichat::actors::access
