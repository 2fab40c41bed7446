#include "actors/directory/user_replication.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace plexichat::actors::directory {

void add_directory_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<storage::user_record>("plexichat::user_record");
  cfg.add_message_type<std::vector<storage::user_record>>("std::vector<plexichat::user_record>");
  cfg.add_message_type<token_revocation>("plexichat::token_revocation");
  cfg.add_message_type<std::vector<token_revocation>>("std::vector<plexichat::token_revocation>");
  cfg.add_message_type<directory_sync>("plexichat::directory_sync");
}

user_merge_plan plan_user_merge(
    std::vector<storage::user_record> incoming,
    const std::function<std::optional<std::string>(const std::string&)>& stored_id) {
  std::sort(incoming.begin(), incoming.end(), [](const auto& a, const auto& b) {
    return std::tie(a.username, a.created_at, a.id) < std::tie(b.username, b.created_at, b.id);
  });
  user_merge_plan plan;
  std::set<std::string> seen_ids;
  const std::string* last_name = nullptr;
  for (auto& u : incoming) {
    if (!seen_ids.insert(u.id).second) {
      continue;
    }
    bool first_of_name = last_name == nullptr || *last_name != u.username;
    auto stored = stored_id(u.username);
    if (stored && *stored == u.id) {
      last_name = &u.username;
      continue;
    }
    if (stored || !first_of_name) {
      plan.conflicts.push_back(u);
    } else {
      plan.store.push_back(u);
    }
    last_name = &u.username;
  }
  return plan;
}

std::vector<token_revocation> new_revocations(
    const std::vector<token_revocation>& incoming, int64_t now_ms,
    const std::function<bool(const std::string&)>& known) {
  std::vector<token_revocation> fresh;
  std::set<std::string> seen;
  for (const auto& r : incoming) {
    if (r.token_id.empty() || r.expires_at < now_ms || known(r.token_id) ||
        !seen.insert(r.token_id).second) {
      continue;
    }
    fresh.push_back(r);
  }
  return fresh;
}

std::vector<std::string> sync_tracker::due(const std::map<std::string, std::string>& directories) {
  for (auto i = synced_.begin(); i != synced_.end();) {
    i = directories.count(i->first) == 0 ? synced_.erase(i) : std::next(i);
  }
  std::vector<std::string> nodes;
  for (const auto& [node, identity] : directories) {
    auto [it, inserted] = synced_.try_emplace(node, identity);
    if (inserted || it->second != identity) {
      it->second = identity;
      nodes.push_back(node);
    }
  }
  return nodes;
}

}  // namespace plexichat::actors::directory
