// The directory across the cluster (user_replication.hpp): where a registration is decided,
// replication of user records and revocations to the peers' directories, the directory_sync
// a directory sends each peer's directory it sees appear, and the handoff of whole accounts
// to their replicas when the members change.

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include <spdlog/spdlog.h>
#include <caf/actor_addr.hpp>

#include "actors/atoms.hpp"
#include "actors/directory/directory.hpp"
#include "actors/directory/directory_state.hpp"
#include "actors/directory/peer_quorum.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// Every user record and every live revocation in storage (blocking: the pool runs it).
struct directory_contents {
  std::vector<storage::user_record> users;
  std::vector<token_revocation> revoked;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, directory_contents& x) {
  return f(x.users, x.revoked);
}

directory_contents read_contents(const storage::database* db, int64_t now_ms) {
  directory_contents c;
  std::string after;
  for (;;) {
    auto page = db->list_users(after, 500);
    for (auto& u : page.users) {
      after = u.id;
      c.users.push_back(std::move(u));
    }
    if (!page.has_more || page.users.empty()) {
      break;
    }
  }
  for (auto& [id, expires_at] : db->revocations()) {
    if (expires_at >= now_ms) {
      c.revoked.push_back({id, expires_at});
    }
  }
  return c;
}

/// Every account this node holds whole (the user record with its password hash), with its
/// second factor and unexpired sessions (blocking: the pool runs it).
std::vector<account_state> read_whole_accounts(const storage::database* db, int64_t now_ms) {
  std::vector<account_state> out;
  std::string after;
  for (;;) {
    auto page = db->list_users(after, 500);
    for (auto& u : page.users) {
      after = u.id;
      if (!holds_secret(u)) {
        continue;
      }
      account_state a{u.id};
      if (auto mfa = db->get_mfa(u.id)) {
        a.mfa.push_back(std::move(*mfa));
      }
      for (auto& s : db->user_sessions(u.id)) {
        if (s.expires_at >= now_ms) {
          a.sessions.push_back(std::move(s));
        }
      }
      a.user.push_back(std::move(u));
      out.push_back(std::move(a));
    }
    if (!page.has_more || page.users.empty()) {
      break;
    }
  }
  return out;
}

/// Persists and applies the revocations of `incoming` this node lacks; `done(ok)` after.
void merge_revocations(directory_actor* self, const std::vector<token_revocation>& incoming,
                       std::function<void(bool)> done) {
  auto* list = self->state.ctx->revocations;
  auto fresh = new_revocations(incoming, runtime::now_ms(),
                               [list](const std::string& id) { return list->is_revoked(id); });
  if (fresh.empty()) {
    done(true);
    return;
  }
  storage::write_batch batch;
  for (const auto& r : fresh) {
    batch.revoke_token(r.token_id, r.expires_at);
  }
  commit(self, std::move(batch), [self, fresh, done](bool ok) mutable {
    if (ok) {
      for (const auto& r : fresh) {
        self->state.ctx->revocations->add(r.token_id, r.expires_at);
      }
    }
    done(ok);
  });
}

/// Remembers (and persists) the token key a peer announced.
void learn_token_key(directory_actor* self, const std::string& node, const std::string& key) {
  auto* keys = self->state.ctx->token_keys;
  if (keys == nullptr || node.empty() || node == self->state.ctx->config->name ||
      key.size() != 32) {
    return;
  }
  bool replaced = keys->find(node).has_value();
  if (!keys->set(node, key)) {
    return;
  }
  if (replaced) {
    spdlog::warn("directory: node {} signs tokens with a new key; its older tokens now fail", node);
  } else {
    spdlog::info("directory: learned the token key of node {}", node);
  }
  storage::write_batch batch;
  batch.put_meta(runtime::token_keys_meta_key, runtime::encode_token_keys(keys->all()));
  commit(self, std::move(batch), [node](bool ok) {
    if (!ok) {
      spdlog::warn("directory: could not store the token key of node {}", node);
    }
  });
}

void on_sync(directory_actor* self, directory_sync& sync) {
  spdlog::info("directory: sync from {}: {} user(s), {} revocation(s)", sync.node,
               sync.users.size(), sync.revoked.size());
  learn_token_key(self, sync.node, sync.token_key);
  merge_revocations(self, sync.revoked, [](bool) {});
  merge_users(self, std::move(sync.users), [](bool) {});
}

/// Sends the public parts, revocations and token key this directory holds to the peers'
/// directories `targets`.
void send_syncs(directory_actor* self, std::vector<caf::actor> targets) {
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking, [db] { return read_contents(db, runtime::now_ms()); },
      [self, targets](directory_contents c) {
        const auto* ctx = self->state.ctx;
        for (auto& u : c.users) {
          u = public_part(std::move(u));
        }
        directory_sync sync{ctx->config->name, ctx->signer->public_key(), std::move(c.users),
                            std::move(c.revoked)};
        for (const auto& t : targets) {
          self->send(t, dirsync_atom::value, sync);
        }
        spdlog::info("directory: sent {} user(s), {} revocation(s) to {} peer(s)",
                     sync.users.size(), sync.revoked.size(), targets.size());
      },
      [self](api_error e) {
        spdlog::warn("directory: could not read the directory for a peer sync: {}", e.message);
        // Try again on the next view change.
        self->state.synced.due({});
      });
}

void start_handoff(directory_actor* self);

/// Hands off again in a while, changed or not, waiting twice as long each time in a row.
void retry_handoff_later(directory_actor* self) {
  auto& st = self->state;
  st.handoff_retry = true;
  self->delayed_send(self, st.handoff_retry_after, placement_atom::value);
  st.handoff_retry_after = std::min(st.handoff_retry_after * 2, max_handoff_retry_after);
}

/// A handoff ended: runs the next one if the view changed meanwhile.
void handoff_ended(directory_actor* self) {
  auto& st = self->state;
  st.handoff_running = false;
  if (st.handoff_again) {
    st.handoff_again = false;
    start_handoff(self);
  }
}

/// An account held whole here, and the peers that confirmed they hold it too.
struct release_candidate {
  storage::user_record user;
  std::set<std::string> confirmed;
};

/// Keeps only the public part of each candidate's user (and drops its second factor) when
/// every one of its replicas under the view now confirmed it holds the account. Skips a
/// user that changed here meanwhile, whose replicas this node is among again, or whose
/// placement moved to a node that did not confirm.
void release_secrets(directory_actor* self, const std::vector<release_candidate>& candidates) {
  auto view = current_view(self);
  if (!view || !view->has_majority || candidates.empty()) {
    return;
  }
  auto& st = self->state;
  storage::write_batch batch;
  std::vector<storage::user_record> released;
  for (const auto& [u, confirmed] : candidates) {
    auto replicas = account_replicas(self, *view, u.username);
    if (replicas.empty() || std::any_of(replicas.begin(), replicas.end(), [&](const auto& n) {
          return n == view->self || confirmed.count(n) == 0;
        })) {
      continue;
    }
    if (const auto* held = st.users.by_id(u.id); held != nullptr && !(*held == u)) {
      continue;
    }
    auto pub = public_part(u);
    batch.put_user(pub);
    batch.delete_mfa(u.id);
    released.push_back(std::move(pub));
  }
  if (released.empty()) {
    return;
  }
  commit(self, std::move(batch), [self, released](bool ok) {
    if (!ok) {
      spdlog::warn("directory: could not drop the secrets of {} handed-off account(s)",
                   released.size());
      return;
    }
    auto& st = self->state;
    for (const auto& u : released) {
      if (const auto* held = st.users.by_id(u.id); held == nullptr || held->version <= u.version) {
        st.users.insert(u);
      }
      st.mfa.erase(u.id);
    }
    spdlog::info("directory: kept only the public part of {} account(s) whose replicas hold them",
                 released.size());
  });
}

/// How many accounts one handoff message carries; each replica has one in flight at a time.
constexpr std::size_t handoff_batch = 256;

/// One handoff under way: the accounts read, the plan, and what the replicas confirmed.
struct handoff_run {
  std::vector<account_state> held;
  std::map<std::string, std::size_t> index;  ///< user id -> position in `held`
  handoff_plan plan;
  std::map<std::string, caf::actor> dirs;
  std::map<std::string, std::size_t> sent;                 ///< peer -> ids of plan.send sent
  std::map<std::string, std::set<std::string>> confirmed;  ///< user id -> peers
  std::size_t peers_left = 0;
  bool failed = false;
};

/// Releases the secrets of the accounts every replica confirmed, and schedules a retry if a
/// replica did not take its accounts.
void finish_handoff(directory_actor* self, handoff_run& run) {
  std::vector<release_candidate> release;
  for (const auto& [id, peers] : run.plan.release) {
    const auto& got = run.confirmed[id];
    if (std::all_of(peers.begin(), peers.end(),
                    [&got](const std::string& p) { return got.count(p) != 0; })) {
      release.push_back({run.held[run.index.at(id)].user.front(), got});
    }
  }
  release_secrets(self, release);
  if (run.failed) {
    // A replica did not take its accounts.
    retry_handoff_later(self);
  } else {
    self->state.handoff_retry_after = first_handoff_retry_after;
  }
  handoff_ended(self);
}

/// Sends `node` its next batch of the run, or, when it has had them all, counts it done.
void send_handoff_batch(directory_actor* self, std::shared_ptr<handoff_run> run,
                        const std::string& node) {
  const auto& ids = run->plan.send.at(node);
  auto& from = run->sent[node];
  if (from >= ids.size()) {
    if (--run->peers_left == 0) {
      finish_handoff(self, *run);
    }
    return;
  }
  std::vector<std::string> chunk(ids.begin() + from,
                                 ids.begin() + std::min(ids.size(), from + handoff_batch));
  from += chunk.size();
  std::vector<account_state> batch;
  for (const auto& id : chunk) {
    batch.push_back(run->held[run->index.at(id)]);
  }
  self->request(run->dirs.at(node), peer_timeout, handoff_atom::value, std::move(batch))
      .then(
          [self, run, node, chunk](bool) {
            for (const auto& id : chunk) {
              run->confirmed[id].insert(node);
            }
            send_handoff_batch(self, run, node);
          },
          [self, run, node](caf::error& err) {
            spdlog::warn("directory: node {} did not take a handoff of accounts: {}", node,
                         self->system().render(err));
            run->failed = true;
            run->sent[node] = run->plan.send.at(node).size();  // the rest waits for the retry
            send_handoff_batch(self, run, node);
          });
}

/// Hands `held` to the replicas of each account under the current view (plan_handoff), one
/// batch at a time per replica, then releases the secrets of the accounts this node is no
/// longer a replica of that every replica confirmed.
void send_handoff(directory_actor* self, std::vector<account_state> held) {
  auto view = current_view(self);
  if (!view || !view->has_majority) {
    // Again once this node sees a majority.
    self->state.handoff_retry = true;
    handoff_ended(self);
    return;
  }
  auto run = std::make_shared<handoff_run>();
  run->dirs = peer_directories(*view);
  std::set<std::string> reachable;
  for (const auto& [node, dir] : run->dirs) {
    reachable.insert(node);
  }
  std::vector<storage::user_record> users;
  for (std::size_t i = 0; i < held.size(); ++i) {
    users.push_back(held[i].user.front());
    run->index.emplace(held[i].user_id, i);
  }
  run->held = std::move(held);
  run->plan = plan_handoff(
      users, view->self,
      [self, &view](const std::string& name) { return account_replicas(self, *view, name); },
      reachable);
  if (run->plan.send.empty()) {
    finish_handoff(self, *run);
    return;
  }
  std::size_t accounts = 0;
  for (const auto& [node, ids] : run->plan.send) {
    accounts += ids.size();
  }
  spdlog::info("directory: handing {} account(s) to {} replica(s)", accounts,
               run->plan.send.size());
  run->peers_left = run->plan.send.size();
  for (const auto& [node, ids] : run->plan.send) {
    send_handoff_batch(self, run, node);
  }
}

/// Reads the accounts held whole here and hands them to their replicas (send_handoff); one
/// handoff at a time, the next once it ended.
void start_handoff(directory_actor* self) {
  auto& st = self->state;
  if (st.handoff_running) {
    st.handoff_again = true;
    return;
  }
  st.handoff_running = true;
  auto* db = st.ctx->db;
  run_blocking(
      self, st.ctx->blocking, [db] { return read_whole_accounts(db, runtime::now_ms()); },
      [self](std::vector<account_state> held) { send_handoff(self, std::move(held)); },
      [self](api_error e) {
        spdlog::warn("directory: could not read the accounts to hand off: {}", e.message);
        retry_handoff_later(self);
        handoff_ended(self);
      });
}

/// Sends this directory's public parts to the peers' directories it has not synced with yet,
/// and hands its accounts off when the live members (or which of them drain) or the peers'
/// directories changed, or the last handoff failed somewhere.
void on_view_change(directory_actor* self) {
  auto view = current_view(self);
  if (!view) {
    return;
  }
  auto dirs = peer_directories(*view);
  std::map<std::string, std::string> identities;
  for (const auto& [node, dir] : dirs) {
    identities.emplace(node, caf::to_string(dir.address()));
  }
  auto due = self->state.synced.due(identities);
  if (!due.empty()) {
    std::vector<caf::actor> targets;
    for (const auto& node : due) {
      targets.push_back(dirs.at(node));
    }
    send_syncs(self, std::move(targets));
  }
  auto& st = self->state;
  // What placement depends on: the members not marked down, and which of them drain.
  std::vector<std::string> live;
  for (const auto& m : view->members) {
    if (m.state != cluster::member_state::down) {
      live.push_back(m.draining ? m.name + " (draining)" : m.name);
    }
  }
  if (view->has_majority &&
      (st.handoff_retry || live != st.handoff_members || identities != st.handoff_dirs)) {
    st.handoff_retry = false;
    st.handoff_members = std::move(live);
    st.handoff_dirs = std::move(identities);
    start_handoff(self);
  }
}

/// Takes whole accounts from a peer's handoff: the user records first (merge_users), then
/// each account (apply_account); `done(ok)` with ok once this directory holds every one of
/// them whole, as new as sent or newer.
void take_handoff(directory_actor* self, std::vector<account_state> accounts,
                  std::function<void(bool)> done) {
  std::vector<storage::user_record> users;
  for (const auto& a : accounts) {
    for (const auto& u : a.user) {
      if (u.id == a.user_id && holds_secret(u)) {
        users.push_back(u);
      }
    }
  }
  merge_users(self, std::move(users), [self, accounts = std::move(accounts), done](bool ok) {
    if (!ok || accounts.empty()) {
      done(ok);
      return;
    }
    struct tally {
      std::size_t left;
      bool ok = true;
    };
    auto t = std::make_shared<tally>(tally{accounts.size()});
    for (const auto& a : accounts) {
      apply_account(self, a, [self, t, a, done](bool stored) {
        const auto* held = self->state.users.by_id(a.user_id);
        if (!stored || a.user.empty() || held == nullptr || !holds_secret(*held) ||
            held->version < a.user.front().version) {
          t->ok = false;
        }
        if (--t->left == 0) {
          done(t->ok);
        }
      });
    }
  });
}

}  // namespace

std::map<std::string, caf::actor> peer_directories(const cluster::cluster_view& view) {
  std::map<std::string, caf::actor> out;
  for (const auto& node : view.live_members()) {
    if (node == view.self) {
      continue;
    }
    if (auto dir = view.service(node, "directory", {})) {
      out.emplace(node, std::move(dir));
    }
  }
  return out;
}

/// Stores the records of `incoming` this node lacks (user_merge_plan); `done(ok)` after.
void merge_users(directory_actor* self, std::vector<storage::user_record> incoming,
                 std::function<void(bool)> done) {
  auto& st = self->state;
  std::vector<storage::user_record> candidates;
  std::vector<std::string> names;  ///< reserved here for the merge
  for (auto& u : incoming) {
    if (const auto* known = st.users.by_name(u.username)) {
      if (known->id != u.id) {
        spdlog::warn("directory: peer's user {} ({}) conflicts with {} here; kept ours", u.username,
                     u.id, known->id);
      } else if (supersedes(u, *known)) {
        candidates.push_back(std::move(u));
      }
      continue;
    }
    // A name reserved here is being registered or merged right now; that one decides.
    if (st.users.reserve(u.username)) {
      names.push_back(u.username);
      candidates.push_back(std::move(u));
    }
  }
  if (candidates.empty()) {
    done(true);
    return;
  }
  auto release = [self, names] {
    for (const auto& n : names) {
      self->state.users.release(n);
    }
  };
  auto* db = st.ctx->db;
  run_blocking(
      self, st.ctx->blocking,
      [db, candidates] {
        auto plan = plan_user_merge(
            candidates, [db](const std::string& name) -> std::optional<storage::user_record> {
              auto id = db->find_user_id(name);
              return id ? db->get_user(*id) : std::nullopt;
            });
        for (const auto& u : plan.conflicts) {
          spdlog::warn("directory: peer's user {} ({}) conflicts with a stored one; kept ours",
                       u.username, u.id);
        }
        return plan.store;
      },
      [self, release, done](std::vector<storage::user_record> store) mutable {
        if (store.empty()) {
          release();
          done(true);
          return;
        }
        storage::write_batch batch;
        for (const auto& u : store) {
          batch.put_user(u);
        }
        commit(self, std::move(batch), [self, release, done, store](bool ok) mutable {
          if (ok) {
            for (const auto& u : store) {
              const auto* held = self->state.users.by_id(u.id);
              if (held == nullptr || supersedes(u, *held)) {
                self->state.users.insert(u);
              }
            }
            spdlog::info("directory: stored {} user(s) from peers", store.size());
          }
          release();
          done(ok);
        });
      },
      [release, done](api_error) mutable {
        release();
        done(false);
      });
}

std::optional<caf::expected<caf::actor>> registration_owner(directory_actor* self,
                                                            const std::string& username) {
  auto dir = account_directory(*self->state.ctx, username);
  if (dir && *dir == self_handle(self)) {
    return std::nullopt;
  }
  return dir;
}

void replicate_user(directory_actor* self, const storage::user_record& user,
                    std::function<void(bool)> done) {
  auto view = current_view(self);
  if (!view) {
    done(true);
    return;
  }
  auto replicas = account_replicas(self, *view, user.username);
  std::map<std::string, caf::actor> whole;
  std::map<std::string, caf::actor> public_only;
  for (auto& [node, dir] : peer_directories(*view)) {
    auto& to =
        std::find(replicas.begin(), replicas.end(), node) != replicas.end() ? whole : public_only;
    to.emplace(node, std::move(dir));
  }
  auto needed = peers_needed(self->state.ctx->config->cluster.write_quorum, replicas.size());
  // Every peer's answer is awaited, so that the user can log in and connect on any node
  // right after the 201; a peer that misses it gets it at the next handoff or sync.
  struct join {
    int left = 2;
    bool ok = false;
  };
  auto j = std::make_shared<join>();
  auto one_done = [j, done] {
    if (--j->left == 0) {
      done(j->ok);
    }
  };
  confirm_with_peers(
      self, whole, needed, true, "user " + user.id,
      [j, one_done](bool ok) {
        j->ok = ok;
        one_done();
      },
      userput_atom::value, std::vector<storage::user_record>{user});
  confirm_with_peers(
      self, public_only, 0, true, "user " + user.id, [one_done](bool) { one_done(); },
      userput_atom::value, std::vector<storage::user_record>{public_part(user)});
}

void broadcast_revocations(directory_actor* self, std::vector<token_revocation> revoked) {
  auto view = current_view(self);
  if (!view || revoked.empty()) {
    return;
  }
  for (const auto& [node, dir] : peer_directories(*view)) {
    self->send(dir, revoked_atom::value, revoked);
  }
}

caf::message_handler replication_handlers(directory_actor* self) {
  return caf::message_handler{
      [self](placement_atom) { on_view_change(self); },
      [self](dirsync_atom, directory_sync& sync) { on_sync(self, sync); },
      [self](userput_atom, std::vector<storage::user_record>& users) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        merge_users(self, std::move(users), answer_stored(rp));
        return rp;
      },
      [self](handoff_atom, std::vector<account_state>& accounts) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        take_handoff(self, std::move(accounts), answer_stored(rp));
        return rp;
      },
      // Sent with send(), not request(): nothing to answer.
      [self](revoked_atom, std::vector<token_revocation>& revoked) {
        merge_revocations(self, revoked, [](bool ok) {
          if (!ok) {
            spdlog::warn("directory: could not store revocations from a peer");
          }
        });
      },
  }
      .or_else(account_replication_handlers(self));
}

caf::expected<caf::actor> account_directory(const node_context& ctx, const std::string& username) {
  const auto* cell = ctx.cluster_view;
  if (cell == nullptr) {
    return ctx.directory;
  }
  if (cluster::refuses_writes(cell)) {
    return make_error(api_errc::unavailable, cluster::no_majority);
  }
  auto view = cell->get();
  auto owners = view->placement(username, 1);
  if (owners.empty() || owners.front() == view->self) {
    return ctx.directory;
  }
  if (auto dir = view->service(owners.front(), "directory", {})) {
    return dir;
  }
  return make_error(api_errc::unavailable, "the node that serves this account (" + owners.front() +
                                               ") is not reachable; try again");
}

}  // namespace plexichat::actors::directory
