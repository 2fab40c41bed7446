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
  cfg.add_message_type<storage::mfa_record>("plexichat::mfa_record");
  cfg.add_message_type<std::vector<storage::mfa_record>>("std::vector<plexichat::mfa_record>");
  cfg.add_message_type<account_state>("plexichat::account_state");
  cfg.add_message_type<std::vector<account_state>>("std::vector<plexichat::account_state>");
  // What an account message forwarded to the user's owner carries there and back.
  cfg.add_message_type<login_request>("plexichat::login_request");
  cfg.add_message_type<login_result>("plexichat::login_result");
  cfg.add_message_type<totp_enrolment>("plexichat::totp_enrolment");
  cfg.add_message_type<mfa_status>("plexichat::mfa_status");
  cfg.add_message_type<password_change>("plexichat::password_change");
  cfg.add_message_type<storage::session_record>("plexichat::session_record");
  cfg.add_message_type<std::vector<storage::session_record>>(
      "std::vector<plexichat::session_record>");
}

account_state merge_accounts(const std::string& user_id, const std::vector<account_state>& parts) {
  account_state out;
  out.user_id = user_id;
  std::map<std::string, storage::session_record> sessions;
  std::map<std::string, token_revocation> ended;
  for (const auto& part : parts) {
    for (const auto& m : part.mfa) {
      if (out.mfa.empty() || supersedes(m, out.mfa.front())) {
        out.mfa.assign(1, m);
      }
    }
    for (const auto& u : part.user) {
      if (u.id == user_id && (out.user.empty() || supersedes(u, out.user.front()))) {
        out.user.assign(1, u);
      }
    }
    for (const auto& s : part.sessions) {
      auto [it, inserted] = sessions.try_emplace(s.id, s);
      if (!inserted && s.last_used_at > it->second.last_used_at) {
        it->second = s;
      }
    }
    for (const auto& r : part.ended) {
      ended.try_emplace(r.token_id, r);
    }
  }
  for (auto& [id, s] : sessions) {
    if (ended.count(id) == 0) {
      out.sessions.push_back(std::move(s));
    }
  }
  for (auto& [id, r] : ended) {
    out.ended.push_back(std::move(r));
  }
  return out;
}

user_merge_plan plan_user_merge(
    std::vector<storage::user_record> incoming,
    const std::function<std::optional<storage::user_record>(const std::string&)>& stored) {
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
    auto held = stored(u.username);
    if (held && held->id == u.id) {
      if (supersedes(u, *held)) {
        plan.store.push_back(u);
      }
      last_name = &u.username;
      continue;
    }
    if (held || !first_of_name) {
      plan.conflicts.push_back(u);
    } else {
      plan.store.push_back(u);
    }
    last_name = &u.username;
  }
  return plan;
}

handoff_plan plan_handoff(
    const std::vector<storage::user_record>& held, const std::string& self,
    const std::function<std::vector<std::string>(const std::string&)>& replicas,
    const std::set<std::string>& reachable) {
  handoff_plan plan;
  for (const auto& u : held) {
    if (!holds_secret(u)) {
      continue;
    }
    auto nodes = replicas(u.username);
    bool replica = std::find(nodes.begin(), nodes.end(), self) != nodes.end();
    bool all_reachable = !nodes.empty();
    std::vector<std::string> peers;
    for (const auto& n : nodes) {
      if (n == self) {
        continue;
      }
      if (reachable.count(n) == 0) {
        all_reachable = false;
        continue;
      }
      plan.send[n].push_back(u.id);
      peers.push_back(n);
    }
    if (!replica && all_reachable) {
      plan.release.emplace(u.id, std::move(peers));
    }
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
