#include <optional>

#include "actors/directory/directory_state.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// A user looked up in storage; `found` is false when there is none.
struct lookup_result {
  bool found = false;
  storage::user_record user;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lookup_result& x) {
  return f(x.found, x.user);
}

template <class Read>
void find_user(directory_actor* self, const storage::user_record* cached, Read read,
               user_callback then, std::function<void(api_error)> fail) {
  if (cached != nullptr) {
    then(std::optional<storage::user_record>{*cached});
    return;
  }
  run_blocking(
      self, self->state.ctx->blocking,
      [read] {
        auto u = read();
        return u ? lookup_result{true, std::move(*u)} : lookup_result{};
      },
      [self, then](lookup_result r) mutable {
        if (!r.found) {
          then(std::nullopt);
          return;
        }
        self->state.users.insert(r.user);
        then(std::optional<storage::user_record>{std::move(r.user)});
      },
      std::move(fail));
}

}  // namespace

caf::actor self_handle(directory_actor* self) {
  return caf::actor_cast<caf::actor>(self);
}

void find_by_name(directory_actor* self, const std::string& username, user_callback then,
                  std::function<void(api_error)> fail) {
  auto* db = self->state.ctx->db;
  find_user(
      self, self->state.users.by_name(username),
      [db, username]() -> std::optional<storage::user_record> {
        auto id = db->find_user_id(username);
        return id ? db->get_user(*id) : std::nullopt;
      },
      std::move(then), std::move(fail));
}

void find_by_id(directory_actor* self, const std::string& id, user_callback then,
                std::function<void(api_error)> fail) {
  auto* db = self->state.ctx->db;
  find_user(
      self, self->state.users.by_id(id), [db, id] { return db->get_user(id); }, std::move(then),
      std::move(fail));
}

void find_current(directory_actor* self, const std::string& id, user_callback then,
                  std::function<void(api_error)> fail) {
  catch_up(
      self, id, [self, id, then, fail] { find_by_id(self, id, then, fail); }, fail);
}

void load_mfa(directory_actor* self, const std::string& user_id,
              std::function<void(storage::mfa_record&)> then, std::function<void(api_error)> fail) {
  auto& cache = self->state.mfa;
  if (auto found = cache.find(user_id); found != cache.end()) {
    then(found->second);
    return;
  }
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking,
      [db, user_id] {
        auto r = db->get_mfa(user_id);
        return r ? std::move(*r) : storage::mfa_record{user_id, {}, false, -1, {}, {}};
      },
      [self, user_id, then](storage::mfa_record r) mutable {
        // A write made while the read ran is newer than what the read saw.
        auto [it, inserted] = self->state.mfa.try_emplace(user_id, std::move(r));
        then(it->second);
      },
      std::move(fail));
}

void load_sessions(directory_actor* self, const std::string& user_id, std::function<void()> then,
                   std::function<void(api_error)> fail) {
  if (self->state.sessions.loaded(user_id)) {
    then();
    return;
  }
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking, [db, user_id] { return db->user_sessions(user_id); },
      [self, user_id, then](std::vector<storage::session_record> stored) mutable {
        self->state.sessions.load(user_id, std::move(stored));
        then();
      },
      std::move(fail));
}

void with_mfa(directory_actor* self, const std::string& user_id,
              std::function<void(storage::mfa_record&)> then, std::function<void(api_error)> fail) {
  catch_up(
      self, user_id, [self, user_id, then, fail] { load_mfa(self, user_id, then, fail); }, fail);
}

void with_sessions(directory_actor* self, const std::string& user_id, std::function<void()> then,
                   std::function<void(api_error)> fail) {
  catch_up(
      self, user_id, [self, user_id, then, fail] { load_sessions(self, user_id, then, fail); },
      fail);
}

void commit(directory_actor* self, storage::write_batch batch, std::function<void(bool)> done) {
  auto& st = self->state;
  st.writes.submit(self_handle(self), *st.ctx->writer, std::move(batch), std::move(done));
}

std::vector<std::pair<std::string, int64_t>> revoke_others(directory_state& st,
                                                           const std::string& user_id,
                                                           const std::string& keep_id,
                                                           storage::write_batch& batch) {
  std::vector<std::pair<std::string, int64_t>> revoked;
  for (auto& s : st.sessions.live(user_id, runtime::now_ms())) {
    if (s.id == keep_id) {
      continue;
    }
    st.sessions.remove(user_id, s.id);
    batch.revoke_token(s.id, s.expires_at);
    batch.delete_session(user_id, s.id);
    revoked.emplace_back(s.id, s.expires_at);
  }
  return revoked;
}

}  // namespace plexichat::actors::directory
