#include "actors/channel/channel.hpp"

#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/channel/channel_actor.hpp"
#include "actors/durable_writes.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"
#include "runtime/crypto.hpp"

namespace plexichat::actors::channel {

namespace {

using record_list = std::shared_ptr<const std::vector<storage::channel_record>>;

struct running_channel {
  caf::actor actor;
  bool stopping = false;
  std::vector<caf::typed_response_promise<caf::actor>> waiting;  // lookups while stopping
};

struct registry_state {
  node_context* ctx = nullptr;
  std::unordered_map<std::string, storage::channel_record> records;
  record_list all = std::make_shared<const std::vector<storage::channel_record>>();
  std::unordered_map<std::string, running_channel> running;
  durable_writes writes;
  // Channel actors linked to the registry that have not yet sent their exit message.
  std::set<caf::actor_addr> children;
  // Peers' registries this one sent its channel records to (cluster), by node name.
  std::map<std::string, caf::actor> greeted;
  // Channels whose actor runs on another node (cluster), as that node's registry answered:
  // later lookups answer at once. Forgotten when the actor stops, when the membership
  // changes, and when a caller found the actor gone (lookup with refresh).
  std::unordered_map<std::string, caf::actor> remote;
  static inline const char* name = "channel_registry";
};

using registry_actor = caf::stateful_actor<registry_state>;

void replace(registry_actor* self, const storage::channel_record& rec);

void remember(registry_actor* self, const storage::channel_record& rec) {
  auto& st = self->state;
  if (st.records.count(rec.id) > 0) {
    replace(self, rec);
    return;
  }
  st.records.insert_or_assign(rec.id, rec);
  auto next = std::make_shared<std::vector<storage::channel_record>>(*st.all);
  next->push_back(rec);
  st.all = std::move(next);
}

/// A channel's record changed (renamed): the list and later channel actors see the new one.
void replace(registry_actor* self, const storage::channel_record& rec) {
  auto& st = self->state;
  st.records.insert_or_assign(rec.id, rec);
  auto next = std::make_shared<std::vector<storage::channel_record>>(*st.all);
  for (auto& r : *next) {
    if (r.id == rec.id) {
      r = rec;
    }
  }
  st.all = std::move(next);
}

bool clustered(registry_actor* self) {
  return self->state.ctx->cluster_view != nullptr;
}

const std::string& node_name(registry_actor* self) {
  return self->state.ctx->config->name;
}

/// The node that owns channel `id` now, or an error to answer (cluster only).
std::variant<std::string, caf::error> owner_of(registry_actor* self, const std::string& id) {
  auto view = self->state.ctx->cluster_view->get();
  if (!view || !view->has_majority) {
    return make_error(api_errc::unavailable, cluster::no_majority);
  }
  auto set = view->placement(id, 1);
  if (set.empty()) {
    return make_error(api_errc::unavailable, "no node can hold the channel");
  }
  return set.front();
}

/// The registry of node `node`, or null while it is not connected.
caf::actor registry_of(registry_actor* self, const std::string& node) {
  auto view = self->state.ctx->cluster_view->get();
  return view ? view->service(node, "channels", caf::actor_cast<caf::actor>(self)) : caf::actor{};
}

/// Tells every connected peer's registry about `records` (a new or renamed channel, or all
/// of them for a peer not greeted yet).
void broadcast(registry_actor* self, const std::vector<storage::channel_record>& records) {
  auto view = self->state.ctx->cluster_view->get();
  if (!view) {
    return;
  }
  for (const auto& [node, services] : view->peers) {
    if (auto peer = services.find("channels")) {
      self->send(peer, update_atom::value, records);
    }
  }
}

caf::actor start_channel(registry_actor* self, const std::string& id) {
  auto& st = self->state;
  auto actor = spawn_channel_actor(self, st.ctx, st.records.at(id));
  self->monitor(actor);
  st.children.insert(actor.address());
  st.running[id] = running_channel{actor, false, {}};
  st.ctx->metrics->channel_actors.Increment();
  return actor;
}

/// Creates `rec` on this node, its owner: the channel actor claims it and writes the record
/// and its owner's membership to the replicas; then every registry learns of it.
caf::result<channel_view> create_owned(registry_actor* self, const storage::channel_record& rec) {
  auto& st = self->state;
  st.records.insert_or_assign(rec.id, rec);  // for start_channel; listed once stored
  auto actor = start_channel(self, rec.id);
  auto rp = self->make_response_promise<channel_view>();
  self->request(actor, caf::infinite, create_atom::value)
      .then(
          [self, rp, rec](channel_view& view) mutable {
            self->state.records.erase(rec.id);
            remember(self, rec);
            broadcast(self, {rec});
            rp.deliver(std::move(view));
          },
          [self, rp, id = rec.id](caf::error& err) mutable {
            self->state.records.erase(id);
            rp.deliver(std::move(err));
          });
  return rp;
}

/// Creates a channel in a cluster: on the node placement gives its id.
caf::result<channel_view> create_placed(registry_actor* self, const storage::channel_record& rec) {
  auto owner = owner_of(self, rec.id);
  if (auto* err = std::get_if<caf::error>(&owner)) {
    return std::move(*err);
  }
  auto& node = std::get<std::string>(owner);
  if (node == node_name(self)) {
    return create_owned(self, rec);
  }
  auto peer = registry_of(self, node);
  if (!peer) {
    return make_error(api_errc::unavailable, "node " + node + " is not connected; try again");
  }
  auto rp = self->make_response_promise<channel_view>();
  self->request(peer, std::chrono::seconds{10}, create_atom::value, rec)
      .then(
          [self, rp](channel_view& view) mutable {
            remember(self, view.record);
            rp.deliver(std::move(view));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<channel_view> create(registry_actor* self, const std::string& owner_id,
                                 std::string name, std::string topic, bool is_private) {
  auto& st = self->state;
  auto now = runtime::now_ms();
  storage::channel_record rec{
      runtime::random_id("c"), std::move(name), std::move(topic), is_private, owner_id, now};
  if (clustered(self)) {
    return create_placed(self, rec);
  }
  storage::write_batch batch;
  batch.put_channel(rec);
  batch.add_member({rec.id, owner_id, now});
  auto rp = self->make_response_promise<channel_view>();
  st.writes.submit(caf::actor_cast<caf::actor>(self), *st.ctx->writer, std::move(batch),
                   [self, rp, rec](bool ok) mutable {
                     if (!ok) {
                       rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
                       return;
                     }
                     remember(self, rec);
                     rp.deliver(channel_view{rec, 0});
                   });
  return rp;
}

caf::result<std::vector<channel_view>> list(registry_actor* self, const std::string& user_id) {
  auto rp = self->make_response_promise<std::vector<channel_view>>();
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking,
      [db, user_id, all = self->state.all] {
        auto mine_list = db->user_channels(user_id);
        std::unordered_set<std::string> mine(mine_list.begin(), mine_list.end());
        std::vector<channel_view> views;
        for (const auto& rec : *all) {
          if (!rec.is_private || mine.count(rec.id) > 0) {
            views.push_back({rec, db->last_seq(rec.id)});
          }
        }
        return views;
      },
      [rp](std::vector<channel_view> views) mutable { rp.deliver(std::move(views)); },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
  return rp;
}

caf::result<caf::actor> lookup_local(registry_actor* self, const std::string& id);

/// Finds a channel's actor wherever placement puts it: here, or through its node's registry.
caf::result<caf::actor> lookup(registry_actor* self, const std::string& id) {
  if (!clustered(self)) {
    return lookup_local(self, id);
  }
  auto owner = owner_of(self, id);
  if (auto* err = std::get_if<caf::error>(&owner)) {
    return std::move(*err);
  }
  auto& node = std::get<std::string>(owner);
  if (node == node_name(self)) {
    return lookup_local(self, id);
  }
  if (auto i = self->state.running.find(id); i != self->state.running.end()) {
    self->send(i->second.actor, placement_atom::value);  // it hands over, and stops
  }
  auto peer = registry_of(self, node);
  if (!peer) {
    return make_error(api_errc::unavailable, "node " + node + " is not reachable; try again");
  }
  if (auto i = self->state.remote.find(id);
      i != self->state.remote.end() && i->second.node() == peer.node()) {
    return i->second;
  }
  auto rp = self->make_response_promise<caf::actor>();
  self->request(peer, std::chrono::seconds{10}, lookup_atom::value, id, node_name(self))
      .then(
          [self, rp, id](caf::actor& ch) mutable {
            if (ch) {
              self->monitor(ch);
              self->state.remote.insert_or_assign(id, ch);
            }
            rp.deliver(std::move(ch));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// Forgets where channel `id`'s remote actor was (it is gone, or may have moved).
void forget_remote(registry_actor* self, const std::string& id) {
  auto& remote = self->state.remote;
  if (auto i = remote.find(id); i != remote.end()) {
    self->demonitor(i->second);
    remote.erase(i);
  }
}

/// A lookup forwarded by another node: answered only where placement agrees.
caf::result<caf::actor> lookup_forwarded(registry_actor* self, const std::string& id) {
  auto owner = owner_of(self, id);
  if (auto* err = std::get_if<caf::error>(&owner)) {
    return std::move(*err);
  }
  if (std::get<std::string>(owner) != node_name(self)) {
    return make_error(api_errc::unavailable, "the channel is moving between nodes; try again");
  }
  return lookup_local(self, id);
}

/// Records from a peer: unknown or changed ones are stored here too, so that this node lists
/// every channel of the cluster.
void learn(registry_actor* self, const std::vector<storage::channel_record>& records) {
  auto& st = self->state;
  storage::write_batch batch;
  for (const auto& rec : records) {
    auto i = st.records.find(rec.id);
    if (i != st.records.end() && i->second.name == rec.name && i->second.topic == rec.topic) {
      continue;
    }
    batch.put_channel(rec);
    remember(self, rec);
  }
  if (!batch.empty()) {
    st.writes.submit(caf::actor_cast<caf::actor>(self), *st.ctx->writer, std::move(batch),
                     [](bool ok) {
                       if (!ok) {
                         spdlog::error("channel registry: storing peers' channel records failed");
                       }
                     });
  }
}

/// The cluster changed: running channels check that they are still theirs, and peers not
/// greeted yet get every record this node knows.
void on_placement(registry_actor* self) {
  auto& st = self->state;
  for (auto& [id, ch] : st.running) {
    self->send(ch.actor, placement_atom::value);
  }
  for (auto& [id, ch] : st.remote) {
    self->demonitor(ch);
  }
  st.remote.clear();
  auto view = st.ctx->cluster_view->get();
  if (!view) {
    return;
  }
  for (const auto& [node, services] : view->peers) {
    auto peer = services.find("channels");
    auto& known = st.greeted[node];
    if (peer && peer != known) {
      known = peer;
      self->send(peer, update_atom::value, *st.all);
    }
  }
}

caf::result<caf::actor> lookup_local(registry_actor* self, const std::string& id) {
  auto& st = self->state;
  if (auto i = st.running.find(id); i != st.running.end()) {
    if (!i->second.stopping) {
      return i->second.actor;
    }
    auto rp = self->make_response_promise<caf::actor>();
    i->second.waiting.push_back(rp);
    return rp;
  }
  if (st.records.count(id) == 0) {
    return make_error(api_errc::not_found, "no such channel");
  }
  return start_channel(self, id);
}

/// The channel's actor has gone (stopped when idle, or failed): lookups that waited for it
/// get a fresh actor, loaded from storage.
void forget(registry_actor* self, const std::string& id) {
  auto& st = self->state;
  auto i = st.running.find(id);
  if (i == st.running.end()) {
    return;
  }
  auto waiting = std::move(i->second.waiting);
  st.running.erase(i);
  st.ctx->metrics->channel_actors.Decrement();
  if (!waiting.empty() && st.records.count(id) == 0) {
    for (auto& rp : waiting) {
      rp.deliver(make_error(api_errc::not_found, "no such channel"));
    }
    return;
  }
  if (!waiting.empty()) {
    auto actor = start_channel(self, id);
    for (auto& rp : waiting) {
      rp.deliver(actor);
    }
  }
}

/// Two-phase idle stop: the channel asked to stop; it stops only if still idle when asked,
/// and lookups meanwhile wait, so that a channel never has two actors at once.
void on_idle(registry_actor* self, const std::string& id, const caf::actor_addr& source) {
  auto i = self->state.running.find(id);
  if (i == self->state.running.end() || i->second.actor.address() != source || i->second.stopping) {
    return;
  }
  i->second.stopping = true;
  auto actor = i->second.actor;
  self->request(actor, caf::infinite, stop_atom::value)
      .then(
          [self, id, actor](bool stopped) {
            auto j = self->state.running.find(id);
            if (j == self->state.running.end() || j->second.actor != actor) {
              return;
            }
            if (stopped) {
              self->demonitor(actor);
              forget(self, id);
              return;
            }
            j->second.stopping = false;
            for (auto& rp : j->second.waiting) {
              rp.deliver(actor);
            }
            j->second.waiting.clear();
          },
          [self, id](caf::error&) { forget(self, id); });
}

caf::behavior registry_behavior(registry_actor* self, node_context* ctx,
                                std::vector<storage::channel_record> initial) {
  self->state.ctx = ctx;
  for (auto& rec : initial) {
    remember(self, rec);
  }
  // A channel that fails is handled by the down handler; any other exit stops the registry,
  // and through the links, every channel.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Each linked channel sends one exit when it stops, after its down message.
    if (self->state.children.erase(msg.source) > 0) {
      return;
    }
    self->quit(msg.reason);
  });
  self->set_down_handler([self](const caf::down_msg& dm) {
    for (auto& [id, ch] : self->state.running) {
      if (ch.actor.address() == dm.source) {
        if (dm.reason) {
          spdlog::warn("channel {} actor stopped: {}", id, to_api_error(dm.reason).message);
        }
        forget(self, std::string{id});
        return;
      }
    }
    auto& remote = self->state.remote;
    for (auto i = remote.begin(); i != remote.end();) {
      i = i->second.address() == dm.source ? remote.erase(i) : std::next(i);
    }
  });
  caf::behavior handlers{
      [self](create_atom, const std::string& owner, std::string& name, std::string& topic,
             bool is_private) {
        return create(self, owner, std::move(name), std::move(topic), is_private);
      },
      [self](list_atom, const std::string& user_id) { return list(self, user_id); },
      [self](create_atom, const storage::channel_record& rec) -> caf::result<channel_view> {
        auto owner = owner_of(self, rec.id);
        if (auto* err = std::get_if<caf::error>(&owner)) {
          return std::move(*err);
        }
        if (std::get<std::string>(owner) != node_name(self)) {
          return make_error(api_errc::unavailable, "the cluster is changing; try again");
        }
        return create_owned(self, rec);
      },
      [self](update_atom, const storage::channel_record& rec) {
        replace(self, rec);
        if (clustered(self)) {
          broadcast(self, {rec});
        }
      },
      [self](update_atom, const std::vector<storage::channel_record>& records) {
        learn(self, records);
      },
      [self](placement_atom) { on_placement(self); },
      [self](lookup_atom, const std::string& id) { return lookup(self, id); },
      [self](lookup_atom, const std::string& id, bool refresh) {
        if (refresh) {
          forget_remote(self, id);
        }
        return lookup(self, id);
      },
      [self](lookup_atom, const std::string& id, const std::string&) {
        return lookup_forwarded(self, id);
      },
      [self](stop_atom, const std::string& id) {
        // The channel's actor stops (a failed write, or it moved): lookups wait for its
        // down message, then get a fresh actor.
        auto i = self->state.running.find(id);
        if (i != self->state.running.end() &&
            i->second.actor.address() == caf::actor_cast<caf::actor_addr>(self->current_sender())) {
          i->second.stopping = true;
        }
      },
      [self](idle_atom, const std::string& id) {
        on_idle(self, id, caf::actor_cast<caf::actor_addr>(self->current_sender()));
      },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
  };
  return probed(self, ctx, "channel_registry", std::move(handlers));
}

}  // namespace

caf::actor spawn_channel_registry(caf::actor_system& sys, node_context* ctx) {
  // Channel records are few and small: the registry keeps them all, read once at start.
  return sys.spawn(registry_behavior, ctx, ctx->db->list_channels());
}

}  // namespace plexichat::actors::channel
