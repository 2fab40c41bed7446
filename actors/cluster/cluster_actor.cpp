#include "actors/cluster/cluster_actor.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"

namespace plexichat::actors::cluster {

namespace {

struct cluster_state {
  cluster_settings settings;
  std::optional<membership> members;              ///< set when the behavior starts
  std::map<std::string, caf::actor> peers;        ///< cluster address -> its cluster actor
  std::set<std::string> connecting;               ///< addresses with a connect in flight
  std::map<std::string, service_table> services;  ///< node name -> its services
  std::map<caf::actor_addr, std::string> names;   ///< peer cluster actor -> node name
  static inline const char* name = "cluster";
};

using cluster_actor = caf::stateful_actor<cluster_state>;

void log_changes(const std::vector<member_change>& changes) {
  for (const auto& c : changes) {
    if (c.joined) {
      spdlog::info("cluster: member {} joined ({})", c.name, to_string(c.to));
    } else if (c.draining_changed && c.from == c.to) {
      spdlog::info("cluster: member {} changed its draining", c.name);
    } else {
      spdlog::info("cluster: member {} is {} (was {})", c.name, to_string(c.to), to_string(c.from));
    }
  }
}

void publish(cluster_actor* self) {
  auto& st = self->state;
  if (st.settings.view != nullptr) {
    st.settings.view->publish(
        {st.settings.self.name, st.members->has_majority(), st.members->view(), st.services});
  }
  for (const auto& w : st.settings.watchers) {
    self->send(w, placement_atom::value);
  }
}

void send_gossip(cluster_actor* self, const caf::actor& peer);

/// Logs and publishes what changed, if anything did; gossips a join to every peer at once.
void after_changes(cluster_actor* self, const std::vector<member_change>& changes) {
  auto& st = self->state;
  bool rejoined = st.members->rejoined();
  if (changes.empty() && !rejoined) {
    return;
  }
  log_changes(changes);
  if (!changes.empty() && st.settings.persist_members) {
    st.settings.persist_members(st.members->gossip());
  }
  if (st.settings.ctx != nullptr && st.settings.ctx->metrics != nullptr) {
    st.settings.ctx->metrics->membership_changes.Increment(static_cast<double>(changes.size()));
  }
  if (rejoined) {
    spdlog::warn("cluster: this node was marked down by the others; rejoining as incarnation {}",
                 st.members->self().incarnation);
  }
  publish(self);
  // A member that joined is gossiped now, not with the next tick, so that the others dial it
  // (or it them) at once.
  if (std::any_of(changes.begin(), changes.end(),
                  [](const member_change& c) { return c.joined; })) {
    for (auto& [address, peer] : st.peers) {
      send_gossip(self, peer);
    }
  }
}

/// Publishes until when this node holds the majority lease.
void publish_lease(cluster_actor* self) {
  if (self->state.settings.view != nullptr) {
    self->state.settings.view->lease_until(self->state.members->lease_until());
  }
}

void send_gossip(cluster_actor* self, const caf::actor& peer) {
  auto& members = *self->state.members;
  self->send(peer, heartbeat_atom::value, members.self(), members.gossip(),
             members.stamp(std::chrono::steady_clock::now()));
}

/// Greets a newly connected peer: gossip, and this node's services.
void greet(cluster_actor* self, const caf::actor& peer) {
  send_gossip(self, peer);
  self->send(peer, services_atom::value, self->state.settings.self.name,
             self->state.settings.services);
}

/// Connects to `address` unless connected or connecting; gossips once connected.
void connect(cluster_actor* self, const std::string& address) {
  auto& st = self->state;
  if (address.empty() || address == st.settings.self.cluster_address || st.peers.count(address) ||
      st.connecting.count(address)) {
    return;
  }
  // Of two members, only the one with the smaller name dials the other, so that they never
  // race two connections (CAF keeps one and drops the proxies of the other with it); an
  // address of no known member (a seed, at first) is always dialled.
  for (const auto& m : st.members->view()) {
    if (m.cluster_address == address && m.name < st.settings.self.name) {
      return;
    }
  }
  config::host_port hp;
  try {
    hp = config::parse_host_port(address, "peer address");
  } catch (const std::exception& e) {
    spdlog::warn("cluster: ignoring member address '{}': {}", address, e.what());
    return;
  }
  st.connecting.insert(address);
  self->request(st.settings.connector, st.settings.connect_timeout, caf::connect_atom::value,
                hp.host, hp.port)
      .then(
          [self, address](const caf::node_id&, caf::strong_actor_ptr& ptr,
                          const std::set<std::string>&) {
            auto& st = self->state;
            st.connecting.erase(address);
            auto peer = caf::actor_cast<caf::actor>(ptr);
            if (!peer) {
              spdlog::warn("cluster: {} published no actor", address);
              return;
            }
            if (st.peers.emplace(address, peer).second) {
              self->monitor(peer);
              spdlog::info("cluster: connected to {}", address);
              greet(self, peer);
            } else {
              send_gossip(self, peer);
            }
          },
          [self, address](caf::error& err) {
            self->state.connecting.erase(address);
            spdlog::debug("cluster: cannot connect to {}: {}", address, self->system().render(err));
          });
}

void on_tick(cluster_actor* self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  auto changes = st.members->tick(now);
  publish_lease(self);  // before the watchers hear of the changes
  after_changes(self, changes);
  if (st.settings.view != nullptr) {
    st.settings.view->judged(now);
  }
  for (auto& [address, peer] : st.peers) {
    send_gossip(self, peer);
  }
  for (const auto& seed : st.settings.seeds) {
    connect(self, seed.to_string());
  }
  for (const auto& m : st.members->view()) {
    connect(self, m.cluster_address);
  }
  self->delayed_send(self, st.settings.heartbeat_every, tick_atom::value);
}

void on_heartbeat(cluster_actor* self, const member_info& from,
                  const std::vector<member_info>& gossip, const lease_stamp& stamp) {
  auto& st = self->state;
  if (from.name.empty() || from.name == st.settings.self.name) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  auto changes = st.members->merge(gossip, now);
  auto heard = st.members->heard_from(from.name, now);
  changes.insert(changes.end(), heard.begin(), heard.end());
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (!from.cluster_address.empty() && st.peers.count(from.cluster_address) == 0 && sender) {
    // A peer that connected to us: answer through the connection it came in on.
    st.peers.emplace(from.cluster_address, sender);
    self->monitor(sender);
    greet(self, sender);
  }
  // A member this node has just heard of, or heard is back, is dialled now rather than on the
  // next tick: until the two connect, neither reaches the other's services.
  for (const auto& c : changes) {
    if (c.joined || c.to == member_state::up) {
      for (const auto& m : st.members->view()) {
        if (m.name == c.name) {
          connect(self, m.cluster_address);
        }
      }
    }
  }
  // Echoed at once, not with the next tick: the sender's lease then lasts about a heartbeat
  // interval longer than the echo's round trip, whatever the phase of the two nodes' ticks.
  if (auto echo = st.members->echo_for(from.name, stamp); echo && sender) {
    self->send(sender, heartbeat_atom::value, st.settings.self.name, *echo);
  }
  publish_lease(self);  // before the watchers hear of the changes
  after_changes(self, changes);
}

/// The node's inspector, for a console that connected to this listener.
caf::result<caf::actor> inspector_of(cluster_actor* self) {
  auto* ctx = self->state.settings.ctx;
  if (ctx == nullptr || !ctx->inspector) {
    return caf::make_error(caf::sec::runtime_error, "this node runs no inspector");
  }
  return ctx->inspector;
}

caf::behavior cluster_behavior(cluster_actor* self, cluster_settings settings) {
  self->state.settings = settings;
  auto now = std::chrono::steady_clock::now();
  self->state.members = membership{settings.self, settings.timing, now};
  self->state.members->remember(settings.remembered, now);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (auto n = st.names.find(dm.source); n != st.names.end()) {
      st.services.erase(n->second);
      st.names.erase(n);
      publish(self);
    }
    for (auto it = st.peers.begin(); it != st.peers.end(); ++it) {
      if (it->second.address() == dm.source) {
        spdlog::info("cluster: connection to {} lost", it->first);
        st.peers.erase(it);
        return;
      }
    }
  });
  publish(self);
  publish_lease(self);
  self->send(self, tick_atom::value);
  caf::behavior handlers{
      [self](tick_atom) { on_tick(self); },
      [self](heartbeat_atom, const member_info& from, const std::vector<member_info>& gossip,
             const lease_stamp& stamp) { on_heartbeat(self, from, gossip, stamp); },
      [self](heartbeat_atom, const std::string& from, const lease_stamp& mine) {
        self->state.members->echoed(from, mine);
        publish_lease(self);
      },
      [self](services_atom, const std::string& from, const service_table& table) {
        auto& st = self->state;
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (from.empty() || from == st.settings.self.name || !sender) {
          return;
        }
        // Another connection to the same node (both dialled at once) may send it too; the
        // latest wins, and a lost connection forgets the table it brought.
        for (auto i = st.names.begin(); i != st.names.end();) {
          i = i->second == from ? st.names.erase(i) : std::next(i);
        }
        st.names[sender.address()] = from;
        st.services[from] = table;
        publish(self);
      },
      [self](inspector_atom) { return inspector_of(self); },
      [self](drain_atom, bool on) {
        if (self->state.members->set_draining(on)) {
          spdlog::warn("cluster: this node is {} (from the console)",
                       on ? "draining: its channels and users move to the other members"
                          : "no longer draining");
          publish(self);
          publish_lease(self);  // the new incarnation's lease starts with the echoes below
          for (auto& [address, peer] : self->state.peers) {
            send_gossip(self, peer);
          }
        }
        return on;
      },
  };
  return probed(self, settings.ctx, "cluster", std::move(handlers));
}

}  // namespace

caf::actor spawn_cluster(caf::actor_system& sys, cluster_settings settings) {
  return sys.spawn(cluster_behavior, std::move(settings));
}

void add_cluster_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<member_info>("plexichat::member_info");
  cfg.add_message_type<std::vector<member_info>>("std::vector<plexichat::member_info>");
  cfg.add_message_type<service_table>("plexichat::service_table");
  cfg.add_message_type<lease_stamp>("plexichat::lease_stamp");
}

}  // namespace plexichat::actors::cluster
