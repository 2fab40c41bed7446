// The directory across the cluster (user_replication.hpp): where a registration is decided,
// replication of user records and revocations to the peers' directories, and the
// directory_sync a directory sends each peer's directory it sees appear.

#include <chrono>
#include <memory>

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

/// Sends this directory's contents to the peers' directories it has not synced with yet.
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
  if (due.empty()) {
    return;
  }
  std::vector<caf::actor> targets;
  for (const auto& node : due) {
    targets.push_back(dirs.at(node));
  }
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking, [db] { return read_contents(db, runtime::now_ms()); },
      [self, targets](directory_contents c) {
        const auto* ctx = self->state.ctx;
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
  for (auto& u : incoming) {
    if (const auto* known = st.users.by_name(u.username)) {
      if (known->id != u.id) {
        spdlog::warn("directory: peer's user {} ({}) conflicts with {} here; kept ours", u.username,
                     u.id, known->id);
      }
      continue;
    }
    // A name reserved here is being registered or merged right now; that one decides.
    if (st.users.reserve(u.username)) {
      candidates.push_back(std::move(u));
    }
  }
  if (candidates.empty()) {
    done(true);
    return;
  }
  std::vector<std::string> names;
  for (const auto& u : candidates) {
    names.push_back(u.username);
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
            candidates, [db](const std::string& name) { return db->find_user_id(name); });
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
              self->state.users.insert(u);
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
  auto dirs = view ? peer_directories(*view) : std::map<std::string, caf::actor>{};
  auto needed = peers_needed(self->state.ctx->config->cluster.write_quorum, view.get());
  // Every peer's answer is awaited, so that the user can log in and connect on any node
  // right after the 201; a peer that misses it gets it on its next directory_sync.
  confirm_with_peers(self, dirs, needed, true, "user " + user.id, std::move(done),
                     userput_atom::value, std::vector<storage::user_record>{user});
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
