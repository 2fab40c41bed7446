#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/cluster/cluster_view.hpp"
#include "actors/cluster/membership.hpp"
#include "config/host_port.hpp"

namespace plexichat::actors {
struct node_context;
}

/// The node's cluster actor: it is what a node publishes on its cluster listener, and what
/// peers talk to. It keeps the membership (membership.hpp): every `heartbeat_every` it runs
/// the failure detector, sends its gossip to every peer it holds a connection to, and
/// connects (asynchronously, through CAF's middleman, with TLS when the connector is the
/// openssl manager's) to the seeds and to every member it has no connection to.
///
/// Messages from peers:
/// - (heartbeat_atom, member_info from, std::vector<member_info> gossip, lease_stamp stamp):
///   answered at once with an echo of `stamp` when this node shows `from` up at its
///   incarnation (membership.hpp, "Majority lease")
/// - (heartbeat_atom, std::string from, lease_stamp mine): `from` echoed a stamp of ours
/// - (services_atom, std::string from, service_table): a peer's services, sent once per
///   connection, both ways; the view's `peers` then holds them under the peer's name
/// From this node's inspector: (drain_atom, bool on) -> bool: starts or stops draining.
/// From consoles: (inspector_atom) -> caf::actor, the node's inspector (inspector/), or an
/// error when the node runs none.
namespace plexichat::actors::cluster {

struct cluster_settings {
  member_info self;                      ///< incarnation: the node's start time in ms
  std::vector<config::host_port> seeds;  ///< this node's own address is skipped
  caf::io::middleman_actor connector;    ///< middleman (insecure) or openssl manager
  detector_timing timing;
  std::chrono::milliseconds heartbeat_every{500};
  std::chrono::milliseconds connect_timeout{3000};
  cluster_view_cell* view = nullptr;  ///< published on every change; must outlive the actor
  service_table services;             ///< what this node offers its peers
  std::vector<caf::actor> watchers;   ///< told (placement_atom) after every change of the view
  /// The members this node knew when it last ran (membership::remember), and where to keep
  /// them: called with the gossiped view after every change.
  std::vector<member_info> remembered;
  std::function<void(const std::vector<member_info>&)> persist_members;
  /// The node's shared parts: its inspector (handed to consoles), metrics and actor table;
  /// null in tests that run the cluster actor alone.
  node_context* ctx = nullptr;
};

caf::actor spawn_cluster(caf::actor_system& sys, cluster_settings settings);

/// Registers the types peers send each other; call on the config before the actor system
/// starts.
void add_cluster_types(caf::actor_system_config& cfg);

}  // namespace plexichat::actors::cluster
