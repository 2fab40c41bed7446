// The directory's session and password messages: list, revoke, touch, change password.

#include <spdlog/spdlog.h>

#include "actors/directory/directory_state.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// Writes `batch` (the user's revocations among it, and what `change` holds already) on this
/// node and its peers. Once it is durable here, adds the revocations to the node's list, so
/// that the tokens stop working here at once, and runs `stored`; answers true once W nodes
/// hold it.
void commit_revocations(directory_actor* self, caf::typed_response_promise<bool> rp,
                        account_state change, storage::write_batch batch,
                        std::vector<std::pair<std::string, int64_t>> revoked,
                        std::function<void()> stored = {}) {
  for (auto& [id, expires_at] : revoked) {
    change.ended.push_back({id, expires_at});
  }
  commit_account(
      self, std::move(batch), std::move(change),
      [self, revoked, stored] {
        for (const auto& [id, expires_at] : revoked) {
          self->state.ctx->revocations->add(id, expires_at);
        }
        if (stored) {
          stored();
        }
      },
      [rp](bool ok) mutable {
        if (!ok) {
          rp.deliver(unconfirmed_account_write());
          return;
        }
        rp.deliver(true);
      });
}

/// A password change's blocking part: 0 done (hash set), 1 wrong old password, 2 weak.
struct password_prep {
  int outcome = 0;
  std::string message;
  std::string hash;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, password_prep& x) {
  return f(x.outcome, x.message, x.hash);
}

password_prep prepare_change(const password_policy& policy, const storage::user_record& user,
                             const password_change& change, runtime::pwhash_cost cost) {
  password_prep p;
  if (!runtime::verify_password(user.password_hash, change.old_password)) {
    p.outcome = 1;
    return p;
  }
  if (auto weak = policy.check(change.new_password, user.username, change.old_password)) {
    p.outcome = 2;
    p.message = std::move(*weak);
    return p;
  }
  p.hash = runtime::hash_password(change.new_password, cost).value_or("");
  return p;
}

/// Stores the new hash, as the record's next version, and revokes every other session of
/// the user in one write, on this node and its peers.
void store_password(directory_actor* self, caf::typed_response_promise<bool> rp,
                    storage::user_record user, std::string keep_id) {
  ++user.version;
  with_sessions(
      self, user.id,
      [self, rp, user, keep_id]() mutable {
        storage::write_batch batch;
        batch.put_user(user);
        auto revoked = revoke_others(self->state, user.id, keep_id, batch);
        spdlog::info("user {} changed password; {} other sessions revoked", user.id,
                     revoked.size());
        account_state change{user.id};
        change.user = {user};
        commit_revocations(self, rp, std::move(change), std::move(batch), std::move(revoked),
                           [self, user] { self->state.users.insert(user); });
      },
      fail_with(rp));
}

}  // namespace

caf::result<std::vector<storage::session_record>> do_list_sessions(directory_actor* self,
                                                                   std::string user_id) {
  auto rp = self->make_response_promise<std::vector<storage::session_record>>();
  with_sessions(
      self, user_id,
      [self, rp, user_id]() mutable {
        auto all = self->state.sessions.live(user_id, runtime::now_ms());
        std::vector<storage::session_record> live;
        for (auto& s : all) {
          if (!self->state.ctx->revocations->is_revoked(s.id)) {
            live.push_back(std::move(s));
          }
        }
        rp.deliver(std::move(live));
      },
      fail_with(rp));
  return rp;
}

caf::result<bool> do_revoke_session(directory_actor* self, std::string user_id,
                                    std::string session_id) {
  auto rp = self->make_response_promise<bool>();
  with_sessions(
      self, user_id,
      [self, rp, user_id, session_id]() mutable {
        auto gone = self->state.sessions.remove(user_id, session_id);
        if (!gone || self->state.ctx->revocations->is_revoked(session_id)) {
          rp.deliver(make_error(api_errc::not_found, "no such session"));
          return;
        }
        storage::write_batch batch;
        batch.revoke_token(gone->id, gone->expires_at);
        batch.delete_session(user_id, gone->id);
        commit_revocations(self, rp, account_state{user_id}, std::move(batch),
                           {{gone->id, gone->expires_at}});
      },
      fail_with(rp));
  return rp;
}

caf::result<bool> do_revoke_sessions(directory_actor* self, std::string user_id,
                                     std::string keep_id) {
  auto rp = self->make_response_promise<bool>();
  with_sessions(
      self, user_id,
      [self, rp, user_id, keep_id]() mutable {
        storage::write_batch batch;
        auto revoked = revoke_others(self->state, user_id, keep_id, batch);
        commit_revocations(self, rp, account_state{user_id}, std::move(batch), std::move(revoked));
      },
      fail_with(rp));
  return rp;
}

void do_touch(directory_actor* self, std::string user_id, std::string session_id) {
  with_sessions(
      self, user_id,
      [self, user_id, session_id] {
        auto changed = self->state.sessions.touch(user_id, session_id, runtime::now_ms());
        if (!changed) {
          return;
        }
        storage::write_batch batch;
        batch.put_session(*changed);
        // A lost last-use time is harmless: the next use writes it again.
        commit(self, std::move(batch), [](bool) {});
      },
      [](api_error) {});
}

caf::result<bool> do_change_password(directory_actor* self, password_change change) {
  auto rp = self->make_response_promise<bool>();
  auto uid = change.user_id;
  find_current(
      self, uid,
      [self, rp, change](std::optional<storage::user_record> u) mutable {
        if (!u) {
          rp.deliver(make_error(api_errc::not_found, "no such user"));
          return;
        }
        auto& st = self->state;
        run_blocking(
            self, st.ctx->blocking,
            [policy = st.policy, user = *u, change, cost = st.ctx->password_cost] {
              return prepare_change(*policy, user, change, cost);
            },
            [self, rp, user = *u, keep = change.keep_session_id](password_prep p) mutable {
              if (p.outcome != 0 || p.hash.empty()) {
                rp.deliver(p.outcome == 1 ? make_error(api_errc::forbidden, "wrong password")
                           : p.outcome == 2
                               ? make_error(api_errc::invalid_request, p.message)
                               : make_error(api_errc::unavailable, "could not hash the password"));
                return;
              }
              user.password_hash = std::move(p.hash);
              store_password(self, rp, std::move(user), std::move(keep));
            },
            fail_with(rp));
      },
      fail_with(rp));
  return rp;
}

}  // namespace plexichat::actors::directory
