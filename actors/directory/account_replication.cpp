// A user's account (second factor, sessions) across the cluster (account_state in
// user_replication.hpp): the owner's changes reach W nodes before they are answered, and a
// directory gathers its peers' copies before it serves a user it may not hold the newest
// copy of.

#include <algorithm>
#include <memory>

#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/directory/directory_state.hpp"
#include "actors/directory/peer_quorum.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// apply_account once the user record to store, if any, is known.
void apply_account_parts(directory_actor* self, account_state change,
                         std::optional<storage::user_record> newer_user,
                         std::function<void(bool)> done) {
  auto uid = change.user_id;
  auto fail = [done](api_error) { done(false); };
  load_mfa(
      self, uid,
      [self, uid, change = std::move(change), newer_user, done,
       fail](storage::mfa_record& held) mutable {
        std::optional<storage::mfa_record> newer;
        if (!change.mfa.empty() && change.mfa.front().user_id == uid &&
            supersedes(change.mfa.front(), held)) {
          newer = change.mfa.front();
        }
        load_sessions(
            self, uid,
            [self, uid, change = std::move(change), newer, newer_user, done]() mutable {
              auto& st = self->state;
              const auto* revoked = st.ctx->revocations;
              auto now = runtime::now_ms();
              storage::write_batch batch;
              if (newer_user) {
                batch.put_user(*newer_user);
              }
              if (newer) {
                batch.put_mfa(*newer);
              }
              std::vector<storage::session_record> added;
              for (auto& s : change.sessions) {
                if (s.user_id != uid || s.expires_at < now || revoked->is_revoked(s.id) ||
                    st.sessions.has(uid, s.id)) {
                  continue;
                }
                batch.put_session(s);
                added.push_back(std::move(s));
              }
              for (const auto& r : change.ended) {
                if (!revoked->is_revoked(r.token_id)) {
                  batch.revoke_token(r.token_id, r.expires_at);
                }
                batch.delete_session(uid, r.token_id);
              }
              if (batch.empty()) {
                done(true);
                return;
              }
              commit(self, std::move(batch),
                     [self, uid, newer, newer_user, added, ended = change.ended,
                      done](bool ok) mutable {
                       if (ok) {
                         auto& st = self->state;
                         if (newer_user) {
                           st.users.insert(*newer_user);
                         }
                         if (newer) {
                           auto [it, inserted] = st.mfa.try_emplace(uid, *newer);
                           if (!inserted && supersedes(*newer, it->second)) {
                             it->second = *newer;
                           }
                         }
                         for (auto& s : added) {
                           st.sessions.add(std::move(s));
                         }
                         for (const auto& r : ended) {
                           st.sessions.remove(uid, r.token_id);
                           st.ctx->revocations->add(r.token_id, r.expires_at);
                         }
                       }
                       done(ok);
                     });
            },
            fail);
      },
      fail);
}

/// read_account once the user record is in `copy`.
void read_account_parts(directory_actor* self, account_state copy,
                        std::function<void(account_state)> then,
                        std::function<void(api_error)> fail) {
  auto uid = copy.user_id;
  load_mfa(
      self, uid,
      [self, copy = std::move(copy), then, fail](storage::mfa_record& held) mutable {
        if (!held.user_id.empty()) {
          copy.mfa.push_back(held);
        }
        load_sessions(
            self, copy.user_id,
            [self, copy, then]() mutable {
              for (auto& s : self->state.sessions.live(copy.user_id, runtime::now_ms())) {
                if (!self->state.ctx->revocations->is_revoked(s.id)) {
                  copy.sessions.push_back(std::move(s));
                }
              }
              then(std::move(copy));
            },
            fail);
      },
      fail);
}

/// This directory's copy of the user's account (for acctget).
void read_account(directory_actor* self, const std::string& uid,
                  std::function<void(account_state)> then, std::function<void(api_error)> fail) {
  find_by_id(
      self, uid,
      [self, uid, then, fail](std::optional<storage::user_record> known) {
        account_state copy;
        copy.user_id = uid;
        if (known) {
          copy.user.push_back(std::move(*known));
        }
        read_account_parts(self, std::move(copy), then, fail);
      },
      fail);
}

}  // namespace

caf::error unconfirmed_account_write() {
  return make_error(api_errc::unavailable,
                    "the change is stored on this node, but too few other nodes confirmed it; "
                    "try again");
}

void apply_account(directory_actor* self, account_state change, std::function<void(bool)> done) {
  auto uid = change.user_id;
  find_by_id(
      self, uid,
      [self, change = std::move(change), done](std::optional<storage::user_record> known) {
        std::optional<storage::user_record> newer_user;
        // A user not known here yet comes with the directory's own replication, which
        // checks its name.
        if (known && !change.user.empty() && change.user.front().username == known->username &&
            supersedes(change.user.front(), *known)) {
          newer_user = change.user.front();
        }
        apply_account_parts(self, std::move(change), std::move(newer_user), done);
      },
      [done](api_error) { done(false); });
}

void catch_up(directory_actor* self, const std::string& user_id, std::function<void()> then,
              std::function<void(api_error)> fail) {
  auto view = current_view(self);
  if (!view) {
    then();
    return;
  }
  auto& st = self->state;
  auto live = view->live_members();
  if (live != st.caught_up_members) {
    st.caught_up.clear();
    st.caught_up_members = std::move(live);
  }
  auto dirs = peer_directories(*view);
  if (st.caught_up.count(user_id) != 0 || dirs.empty()) {
    then();
    return;
  }
  struct gathering {
    std::vector<account_state> parts;
    std::size_t answers = 0;
    bool complete = true;
  };
  auto g = std::make_shared<gathering>();
  auto members = st.caught_up_members;
  auto total = dirs.size();
  auto one_answered = [self, g, total, user_id, members, then, fail] {
    if (++g->answers < total) {
      return;
    }
    apply_account(self, merge_accounts(user_id, g->parts),
                  [self, g, user_id, members, then, fail](bool ok) {
                    if (!ok) {
                      fail({api_errc::unavailable, "storage write failed"});
                      return;
                    }
                    auto& st = self->state;
                    if (g->complete && st.caught_up_members == members) {
                      st.caught_up.insert(user_id);
                    }
                    then();
                  });
  };
  for (const auto& [node, dir] : dirs) {
    self->request(dir, peer_timeout, acctget_atom::value, user_id)
        .then(
            [g, one_answered](account_state& copy) {
              g->parts.push_back(std::move(copy));
              one_answered();
            },
            [self, g, one_answered, node = node, user_id](caf::error& err) {
              spdlog::warn("directory: node {} did not send its copy of account {}: {}", node,
                           user_id, self->system().render(err));
              g->complete = false;
              one_answered();
            });
  }
}

void commit_account(directory_actor* self, storage::write_batch batch, account_state change,
                    std::function<void()> stored, std::function<void(bool)> done) {
  commit(self, std::move(batch), [self, change = std::move(change), stored, done](bool ok) mutable {
    if (!ok) {
      done(false);
      return;
    }
    if (stored) {
      stored();
    }
    auto view = current_view(self);
    std::map<std::string, caf::actor> dirs;
    std::size_t holders = 1;
    if (view) {
      auto peers = peer_directories(*view);
      const auto* user = self->state.users.by_id(change.user_id);
      if (user == nullptr) {
        // Not known here (the home reads the user before it changes the account): every peer.
        dirs = std::move(peers);
        holders = view->live_members().size();
      } else {
        auto replicas = account_replicas(self, *view, user->username);
        holders = replicas.size();
        for (auto& [node, dir] : peers) {
          if (std::find(replicas.begin(), replicas.end(), node) != replicas.end()) {
            dirs.emplace(node, std::move(dir));
          } else if (!change.ended.empty()) {
            // The other nodes hold no sessions of the user, but must refuse their tokens.
            self->send(dir, revoked_atom::value, change.ended);
          }
        }
      }
    }
    auto needed = peers_needed(self->state.ctx->config->cluster.write_quorum, holders);
    confirm_with_peers(self, dirs, needed, false, "a change of account " + change.user_id, done,
                       acctput_atom::value, change);
  });
}

caf::message_handler account_replication_handlers(directory_actor* self) {
  return {
      [self](acctput_atom, account_state& change) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        apply_account(self, std::move(change), answer_stored(rp));
        return rp;
      },
      [self](acctget_atom, std::string& user_id) -> caf::result<account_state> {
        auto rp = self->make_response_promise<account_state>();
        read_account(
            self, user_id, [rp](account_state copy) mutable { rp.deliver(std::move(copy)); },
            [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
        return rp;
      },
  };
}

}  // namespace plexichat::actors::directory
