#include "actors/directory/directory.hpp"

#include <chrono>
#include <optional>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/directory/directory_state.hpp"
#include "actors/directory/mfa_state.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// A registration's blocking part: whether storage already has the name, else whether the
/// password passes the policy (`weak` says why not), else the hash.
struct register_prep {
  bool taken = false;
  std::string weak;
  std::string hash;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_prep& x) {
  return f(x.taken, x.weak, x.hash);
}

register_prep prepare_registration(const storage::database* db, const password_policy& policy,
                                   const std::string& username, const std::string& password,
                                   runtime::pwhash_cost cost) {
  register_prep p;
  p.taken = db->find_user_id(username).has_value();
  if (p.taken) {
    return p;
  }
  p.weak = policy.check(password, username).value_or("");
  if (p.weak.empty()) {
    p.hash = runtime::hash_password(password, cost).value_or("");
  }
  return p;
}

/// Writes the new user; once durable, sends it to the peers' directories (in a cluster) and
/// answers after they answered, so that a login right after the 201 works on every node: 201
/// when W nodes hold it, 503 when fewer confirmed.
void store_user(directory_actor* self, caf::typed_response_promise<storage::user_record> rp,
                storage::user_record user) {
  storage::write_batch batch;
  batch.put_user(user);
  commit(self, std::move(batch), [self, rp, user](bool ok) mutable {
    self->state.users.release(user.username);
    if (!ok) {
      rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
      return;
    }
    self->state.users.insert(user);
    spdlog::info("registered user {} ({})", user.username, user.id);
    replicate_user(self, user, [rp, user](bool confirmed) mutable {
      if (!confirmed) {
        rp.deliver(make_error(api_errc::unavailable,
                              "the account is stored on one node, but too few other nodes "
                              "confirmed it; log in once the cluster has recovered"));
        return;
      }
      rp.deliver(user);
    });
  });
}

/// Checks the name and the password policy, hashes the password, then writes the user once
/// the name is known to be free here. In a cluster this runs on the username's owner only.
caf::result<storage::user_record> register_here(directory_actor* self, std::string username,
                                                std::string password) {
  auto& st = self->state;
  if (!st.users.reserve(username)) {
    return make_error(api_errc::conflict, "that username is taken");
  }
  auto rp = self->make_response_promise<storage::user_record>();
  auto* db = st.ctx->db;
  run_blocking(
      self, st.ctx->blocking,
      [db, policy = st.policy, username, password, cost = st.ctx->password_cost] {
        return prepare_registration(db, *policy, username, password, cost);
      },
      [self, rp, username](register_prep p) mutable {
        if (p.taken || !p.weak.empty() || p.hash.empty()) {
          self->state.users.release(username);
          rp.deliver(p.taken ? make_error(api_errc::conflict, "that username is taken")
                     : !p.weak.empty()
                         ? make_error(api_errc::invalid_request, p.weak)
                         : make_error(api_errc::unavailable, "could not hash the password"));
          return;
        }
        store_user(self, rp,
                   {runtime::random_id("u"), username, std::move(p.hash), runtime::now_ms()});
      },
      [self, rp, username](api_error e) mutable {
        self->state.users.release(username);
        rp.deliver(make_error(e.code, e.message));
      });
  return rp;
}

/// How long a registration forwarded to the username's owner may take (hashing included):
/// shorter than a client's patience, so that a message lost with a dropped connection ends
/// in 503 rather than a hung request.
constexpr auto forward_timeout = std::chrono::seconds{10};

/// Registers here, or, in a cluster, asks the directory of the username's owner to.
caf::result<storage::user_record> do_register(directory_actor* self, std::string username,
                                              std::string password) {
  auto owner = registration_owner(self, username);
  if (!owner) {
    return register_here(self, std::move(username), std::move(password));
  }
  if (!*owner) {
    return owner->error();
  }
  auto rp = self->make_response_promise<storage::user_record>();
  self->request(**owner, forward_timeout, register_atom::value, username, password,
                self->state.ctx->config->name)
      .then([rp](storage::user_record& u) mutable { rp.deliver(std::move(u)); },
            [self, rp, username](caf::error& err) mutable {
              auto e = to_api_error(err);
              if (e.code == api_errc::unavailable) {
                spdlog::warn("registration of {} by its owner failed: {}", username,
                             self->system().render(err));
              }
              rp.deliver(make_error(e.code, e.message));
            });
  return rp;
}

/// Issues a token, records its session, and answers once the session (and any second-factor
/// change already in `batch` and `change`) is held by W nodes.
void complete_login(directory_actor* self, caf::typed_response_promise<login_result> rp,
                    const storage::user_record& user, const login_request& req,
                    storage::write_batch batch, account_state change) {
  auto& st = self->state;
  runtime::token_claims claims;
  claims.user_id = user.id;
  claims.username = user.username;
  claims.token_id = runtime::random_id("t");
  claims.issuer = st.ctx->config->name;
  claims.issued_at = runtime::now_seconds();
  claims.expires_at = claims.issued_at + st.ctx->config->auth.token_ttl.count();
  auto now = runtime::now_ms();
  storage::session_record session{
      claims.token_id, user.id, req.device, req.address, now, now, claims.expires_at * 1000};
  batch.put_session(session);
  change.sessions.push_back(session);
  login_result result{st.ctx->signer->issue(claims), claims.expires_at * 1000, user,
                      claims.token_id, claims.issued_at};
  commit_account(
      self, std::move(batch), std::move(change),
      [self, session] { self->state.sessions.add(session); },
      [self, rp, result](bool ok) mutable {
        if (!ok) {
          rp.deliver(unconfirmed_account_write());
          return;
        }
        self->state.ctx->metrics->logins.Increment();
        rp.deliver(result);
      });
}

/// After a right password: asks for and checks the second factor when the user has one.
void second_step(directory_actor* self, caf::typed_response_promise<login_result> rp,
                 storage::user_record user, login_request req) {
  with_mfa(
      self, user.id,
      [self, rp, user, req](storage::mfa_record& mfa) mutable {
        storage::write_batch batch;
        account_state change{user.id};
        if (totp_enabled(mfa)) {
          if (req.otp.empty()) {
            rp.deliver(make_error(api_errc::mfa_required,
                                  "this account needs a second factor: send \"otp\""));
            return;
          }
          if (check_factor(mfa, req.otp, runtime::now_seconds()) == factor_result::invalid) {
            self->state.ctx->metrics->login_failures.Increment();
            rp.deliver(make_error(api_errc::unauthorized, "wrong or already used code"));
            return;
          }
          // The used step or backup code, as the record's next version.
          ++mfa.version;
          batch.put_mfa(mfa);
          change.mfa.push_back(mfa);
        }
        complete_login(self, rp, user, req, std::move(batch), std::move(change));
      },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
}

/// Verifies the password on the blocking pool. An unknown user costs one hash too, so that
/// timing does not tell which usernames exist; the second factor is looked at only after a
/// right password, so a wrong one never tells whether the account has one.
void verify_login(directory_actor* self, caf::typed_response_promise<login_result> rp,
                  std::optional<storage::user_record> u, login_request req) {
  auto cost = self->state.ctx->password_cost;
  std::string hash = u ? u->password_hash : std::string{};
  run_blocking(
      self, self->state.ctx->blocking,
      [hash, password = req.password, cost] {
        if (hash.empty()) {
          (void)runtime::hash_password(password, cost);
          return false;
        }
        return runtime::verify_password(hash, password);
      },
      [self, rp, u, req](bool ok) mutable {
        if (!ok) {
          self->state.ctx->metrics->login_failures.Increment();
          rp.deliver(make_error(api_errc::unauthorized, "wrong username or password"));
          return;
        }
        second_step(self, rp, *u, std::move(req));
      },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
}

/// Checks the password against the account's newest copy (find_current), then the second
/// factor.
caf::result<login_result> do_login(directory_actor* self, login_request req) {
  auto rp = self->make_response_promise<login_result>();
  auto name = req.username;
  find_by_name(
      self, name,
      [self, rp, req](std::optional<storage::user_record> u) mutable {
        if (!u) {
          verify_login(self, rp, std::nullopt, std::move(req));
          return;
        }
        find_current(
            self, u->id,
            [self, rp, req](std::optional<storage::user_record> current) {
              verify_login(self, rp, std::move(current), req);
            },
            fail_with(rp));
      },
      fail_with(rp));
  return rp;
}

caf::result<storage::user_record> do_get(directory_actor* self, const std::string& id) {
  auto rp = self->make_response_promise<storage::user_record>();
  find_by_id(
      self, id,
      [rp](std::optional<storage::user_record> u) mutable {
        if (u) {
          rp.deliver(std::move(*u));
        } else {
          rp.deliver(make_error(api_errc::not_found, "no such user"));
        }
      },
      fail_with(rp));
  return rp;
}

/// Revokes the token durably, and forgets its session when the user is known.
caf::result<bool> do_logout(directory_actor* self, std::string user_id, std::string token_id,
                            int64_t expires_at) {
  auto rp = self->make_response_promise<bool>();
  storage::write_batch batch;
  batch.revoke_token(token_id, expires_at);
  if (user_id.empty()) {
    commit(self, std::move(batch), [self, rp, token_id, expires_at](bool ok) mutable {
      if (!ok) {
        rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
        return;
      }
      self->state.ctx->revocations->add(token_id, expires_at);
      broadcast_revocations(self, {{token_id, expires_at}});
      rp.deliver(true);
    });
    return rp;
  }
  self->state.sessions.remove(user_id, token_id);
  batch.delete_session(user_id, token_id);
  // The token stops working here once durable, and everywhere once the peers have the end.
  account_state change{user_id};
  change.ended = {{token_id, expires_at}};
  commit_account(
      self, std::move(batch), std::move(change),
      [self, token_id, expires_at] { self->state.ctx->revocations->add(token_id, expires_at); },
      [rp](bool ok) mutable {
        if (!ok) {
          rp.deliver(unconfirmed_account_write());
          return;
        }
        rp.deliver(true);
      });
  return rp;
}

caf::message_handler account_handlers(directory_actor* self) {
  return {
      [self](enroll_atom, std::string& uid, std::string& name) {
        return do_enroll(self, std::move(uid), std::move(name));
      },
      [self](confirm_atom, std::string& uid, std::string& code) {
        return do_confirm(self, std::move(uid), std::move(code));
      },
      [self](disable_atom, std::string& uid, std::string& password, std::string& code) {
        return do_disable(self, std::move(uid), std::move(password), std::move(code));
      },
      [self](mfa_atom, std::string& uid) { return do_mfa_status(self, std::move(uid)); },
      [self](sessions_atom, std::string& uid) { return do_list_sessions(self, std::move(uid)); },
      [self](revoke_atom, std::string& uid, std::string& id) {
        return do_revoke_session(self, std::move(uid), std::move(id));
      },
      [self](revokeall_atom, std::string& uid, std::string& keep) {
        return do_revoke_sessions(self, std::move(uid), std::move(keep));
      },
      [self](touch_atom, std::string& uid, std::string& id) {
        do_touch(self, std::move(uid), std::move(id));
      },
      [self](password_atom, password_change& change) {
        return do_change_password(self, std::move(change));
      },
  };
}

caf::behavior directory_behavior(directory_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  self->state.policy = std::make_shared<const password_policy>(
      ctx->config->limits.min_password_chars, ctx->config->auth.password_min_score);
  caf::behavior handlers =
      account_handlers(self)
          .or_else(replication_handlers(self))
          .or_else(caf::message_handler{
              [self](register_atom, std::string& username, std::string& password) {
                return do_register(self, std::move(username), std::move(password));
              },
              [self](register_atom, std::string& username, std::string& password,
                     std::string& origin) {
                spdlog::debug("registration of {} forwarded by {}", username, origin);
                if (cluster::refuses_writes(self->state.ctx->cluster_view)) {
                  return caf::result<storage::user_record>{
                      make_error(api_errc::unavailable, cluster::no_majority)};
                }
                return register_here(self, std::move(username), std::move(password));
              },
              [self](login_atom, login_request& req) { return do_login(self, std::move(req)); },
              [self](login_atom, std::string& username, std::string& password) {
                return do_login(
                    self, login_request{std::move(username), std::move(password), {}, {}, {}});
              },
              [self](get_atom, const std::string& id) { return do_get(self, id); },
              [self](logout_atom, std::string& token_id, int64_t expires_at) {
                return do_logout(self, {}, std::move(token_id), expires_at);
              },
              [self](logout_atom, std::string& user_id, std::string& token_id, int64_t expires_at) {
                return do_logout(self, std::move(user_id), std::move(token_id), expires_at);
              },
              [self](committed_atom, uint64_t id, bool ok) {
                self->state.writes.on_committed(id, ok);
              },
          });
  return probed(self, ctx, "directory", std::move(handlers));
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn(directory_behavior, ctx);
}

}  // namespace plexichat::actors::directory
