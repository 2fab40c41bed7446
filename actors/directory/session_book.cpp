#include "actors/directory/session_book.hpp"

#include <algorithm>

namespace plexichat::actors::directory {

void session_book::load(const std::string& user_id, std::vector<storage::session_record> stored) {
  auto& sessions = users_[user_id];
  for (auto& s : stored) {
    auto found = sessions.find(s.id);
    if (found == sessions.end()) {
      auto last = s.last_used_at;
      auto id = s.id;
      sessions.emplace(std::move(id), entry{std::move(s), last});
      continue;
    }
    auto& known = found->second;
    known.record.last_used_at = std::max(known.record.last_used_at, s.last_used_at);
    known.persisted_last_used = std::max(known.persisted_last_used, s.last_used_at);
  }
  loaded_.insert(user_id);
}

void session_book::add(storage::session_record session) {
  auto last = session.last_used_at;
  auto id = session.id;
  auto user = session.user_id;
  users_[user].insert_or_assign(std::move(id), entry{std::move(session), last});
}

std::pair<std::map<std::string, session_book::entry>*,
          std::map<std::string, session_book::entry>::iterator>
session_book::find(const std::string& user_id, const std::string& session_id) {
  auto user = users_.find(user_id);
  if (user == users_.end()) {
    return {nullptr, {}};
  }
  auto found = user->second.find(session_id);
  if (found == user->second.end()) {
    return {nullptr, {}};
  }
  return {&user->second, found};
}

std::optional<storage::session_record> session_book::touch(const std::string& user_id,
                                                           const std::string& session_id,
                                                           int64_t now_ms) {
  auto [sessions, found] = find(user_id, session_id);
  if (sessions == nullptr) {
    return std::nullopt;
  }
  auto& e = found->second;
  e.record.last_used_at = std::max(e.record.last_used_at, now_ms);
  if (e.record.last_used_at / session_persist_interval_ms <=
      e.persisted_last_used / session_persist_interval_ms) {
    return std::nullopt;
  }
  e.persisted_last_used = e.record.last_used_at;
  return e.record;
}

std::vector<storage::session_record> session_book::live(const std::string& user_id,
                                                        int64_t now_ms) {
  std::vector<storage::session_record> out;
  auto user = users_.find(user_id);
  if (user == users_.end()) {
    return out;
  }
  for (auto i = user->second.begin(); i != user->second.end();) {
    if (i->second.record.expires_at <= now_ms) {
      i = user->second.erase(i);
      continue;
    }
    out.push_back(i->second.record);
    ++i;
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

std::optional<storage::session_record> session_book::remove(const std::string& user_id,
                                                            const std::string& session_id) {
  auto [sessions, found] = find(user_id, session_id);
  if (sessions == nullptr) {
    return std::nullopt;
  }
  auto record = std::move(found->second.record);
  sessions->erase(found);
  return record;
}

bool session_book::has(const std::string& user_id, const std::string& session_id) const {
  auto user = users_.find(user_id);
  return user != users_.end() && user->second.count(session_id) != 0;
}

}  // namespace plexichat::actors::directory
