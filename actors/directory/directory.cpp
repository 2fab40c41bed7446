#include "actors/directory/directory.hpp"

#include <optional>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/directory/user_index.hpp"
#include "actors/durable_writes.hpp"
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

/// A registration's blocking part: whether storage already has the name, else the hash.
struct register_prep {
  bool taken = false;
  std::string hash;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_prep& x) {
  return f(x.taken, x.hash);
}

struct directory_state {
  node_context* ctx = nullptr;
  user_index users;
  durable_writes writes;
  static inline const char* name = "directory";
};

using directory_actor = caf::stateful_actor<directory_state>;

caf::actor self_handle(directory_actor* self) {
  return caf::actor_cast<caf::actor>(self);
}

/// Finds a user by id or name: from memory, else from storage on the blocking pool.
template <class Read, class Then>
void find_user(directory_actor* self, const storage::user_record* cached, Read read, Then then) {
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
      [then](api_error) mutable { then(std::nullopt); });
}

void find_by_name(directory_actor* self, const std::string& username,
                  std::function<void(std::optional<storage::user_record>)> then) {
  auto* db = self->state.ctx->db;
  find_user(
      self, self->state.users.by_name(username),
      [db, username]() -> std::optional<storage::user_record> {
        auto id = db->find_user_id(username);
        return id ? db->get_user(*id) : std::nullopt;
      },
      std::move(then));
}

void find_by_id(directory_actor* self, const std::string& id,
                std::function<void(std::optional<storage::user_record>)> then) {
  auto* db = self->state.ctx->db;
  find_user(
      self, self->state.users.by_id(id), [db, id] { return db->get_user(id); }, std::move(then));
}

/// Hashes the password, then writes the user once the name is known to be free everywhere.
caf::result<storage::user_record> do_register(directory_actor* self, std::string username,
                                              std::string password) {
  auto& st = self->state;
  if (!st.users.reserve(username)) {
    return make_error(api_errc::conflict, "that username is taken");
  }
  auto rp = self->make_response_promise<storage::user_record>();
  auto* db = st.ctx->db;
  auto cost = st.ctx->password_cost;
  run_blocking(
      self, st.ctx->blocking,
      [db, username, password, cost] {
        register_prep p;
        p.taken = db->find_user_id(username).has_value();
        if (!p.taken) {
          p.hash = runtime::hash_password(password, cost).value_or("");
        }
        return p;
      },
      [self, rp, username](register_prep prep) mutable {
        auto* p = &prep;
        auto& st = self->state;
        if (p->taken || p->hash.empty()) {
          st.users.release(username);
          rp.deliver(p->taken ? make_error(api_errc::conflict, "that username is taken")
                              : make_error(api_errc::unavailable, "could not hash the password"));
          return;
        }
        storage::user_record user{runtime::random_id("u"), username, p->hash, runtime::now_ms()};
        storage::write_batch batch;
        batch.put_user(user);
        st.writes.submit(self_handle(self), *st.ctx->writer, std::move(batch),
                         [self, rp, user](bool ok) mutable {
                           self->state.users.release(user.username);
                           if (!ok) {
                             rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
                             return;
                           }
                           self->state.users.insert(user);
                           spdlog::info("registered user {} ({})", user.username, user.id);
                           rp.deliver(user);
                         });
      },
      [self, rp, username](api_error e) mutable {
        self->state.users.release(username);
        rp.deliver(make_error(e.code, e.message));
      });
  return rp;
}

login_result issue_token(directory_state& st, const storage::user_record& user) {
  runtime::token_claims claims;
  claims.user_id = user.id;
  claims.username = user.username;
  claims.token_id = runtime::random_id("t");
  claims.issuer = st.ctx->config->name;
  claims.issued_at = runtime::now_seconds();
  claims.expires_at = claims.issued_at + st.ctx->config->auth.token_ttl.count();
  return {st.ctx->signer->issue(claims), claims.expires_at * 1000, user};
}

/// Verifies the password on the blocking pool. An unknown user costs one hash too, so that
/// timing does not tell which usernames exist.
caf::result<login_result> do_login(directory_actor* self, std::string username,
                                   std::string password) {
  auto rp = self->make_response_promise<login_result>();
  find_by_name(self, username, [self, rp, password](std::optional<storage::user_record> u) mutable {
    auto cost = self->state.ctx->password_cost;
    std::string hash = u ? u->password_hash : std::string{};
    run_blocking(
        self, self->state.ctx->blocking,
        [hash, password, cost] {
          if (hash.empty()) {
            (void)runtime::hash_password(password, cost);
            return false;
          }
          return runtime::verify_password(hash, password);
        },
        [self, rp, u](bool ok) mutable {
          auto& st = self->state;
          if (!ok) {
            st.ctx->metrics->login_failures.Increment();
            rp.deliver(make_error(api_errc::unauthorized, "wrong username or password"));
            return;
          }
          st.ctx->metrics->logins.Increment();
          rp.deliver(issue_token(st, *u));
        },
        [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
  });
  return rp;
}

caf::result<storage::user_record> do_get(directory_actor* self, const std::string& id) {
  auto rp = self->make_response_promise<storage::user_record>();
  find_by_id(self, id, [rp](std::optional<storage::user_record> u) mutable {
    if (u) {
      rp.deliver(std::move(*u));
    } else {
      rp.deliver(make_error(api_errc::not_found, "no such user"));
    }
  });
  return rp;
}

caf::result<bool> do_logout(directory_actor* self, std::string token_id, int64_t expires_at) {
  auto& st = self->state;
  auto rp = self->make_response_promise<bool>();
  storage::write_batch batch;
  batch.revoke_token(token_id, expires_at);
  st.writes.submit(self_handle(self), *st.ctx->writer, std::move(batch),
                   [self, rp, token_id, expires_at](bool ok) mutable {
                     if (!ok) {
                       rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
                       return;
                     }
                     self->state.ctx->revocations->add(token_id, expires_at);
                     rp.deliver(true);
                   });
  return rp;
}

caf::behavior directory_behavior(directory_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  return {
      [self](register_atom, std::string& username, std::string& password) {
        return do_register(self, std::move(username), std::move(password));
      },
      [self](login_atom, std::string& username, std::string& password) {
        return do_login(self, std::move(username), std::move(password));
      },
      [self](get_atom, const std::string& id) { return do_get(self, id); },
      [self](logout_atom, std::string& token_id, int64_t expires_at) {
        return do_logout(self, std::move(token_id), expires_at);
      },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn(directory_behavior, ctx);
}

}  // namespace plexichat::actors::directory
