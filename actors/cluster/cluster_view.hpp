#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/cluster/membership.hpp"
#include "actors/cluster/placement.hpp"

namespace plexichat::actors::cluster {

/// The actors a node offers its peers, by service name ("channels", "directory", ...). A node
/// sends its table to every peer it connects to; a peer reaches the service with the same
/// calls as a local one (CAF turns the handles into proxies).
struct service_table {
  std::map<std::string, caf::actor> actors;

  caf::actor find(const std::string& service) const {
    auto i = actors.find(service);
    return i == actors.end() ? caf::actor{} : i->second;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, service_table& x) {
  return f(caf::meta::type_name("service_table"), x.actors);
}

/// What the cluster looks like from this node at one moment: published by the cluster actor
/// on every change, read by any thread (the HTTP layer's /readyz) without asking an actor.
struct cluster_view {
  std::string self;
  bool has_majority = true;
  std::vector<member_info> members;            ///< this node included, in name order
  std::map<std::string, service_table> peers;  ///< node name -> its services, once connected

  /// The nodes responsible for `entity`, owner first, then its replicas: rendezvous
  /// placement over the members not marked down (a suspect member keeps its entities until
  /// the failure detector is sure) and not draining.
  std::vector<std::string> placement(std::string_view entity, std::size_t count) const {
    std::vector<placement_member> live;
    std::vector<placement_member> draining;
    for (const auto& m : members) {
      if (m.state != member_state::down) {
        (m.draining ? draining : live).push_back({m.name, 1.0});
      }
    }
    // Draining members hold nothing while others can; alone, they still serve.
    return rank_owners(entity, live.empty() ? draining : live, count);
  }

  /// The members not marked down, this node included.
  std::vector<std::string> live_members() const {
    std::vector<std::string> live;
    for (const auto& m : members) {
      if (m.state != member_state::down) {
        live.push_back(m.name);
      }
    }
    return live;
  }

  /// Service `service` of node `node`: this node's own from `local`, a peer's once its table
  /// arrived; null otherwise.
  caf::actor service(const std::string& node, const std::string& name,
                     const caf::actor& local) const {
    if (node == self) {
      return local;
    }
    auto i = peers.find(node);
    return i == peers.end() ? caf::actor{} : i->second.find(name);
  }
};

/// The latest cluster_view behind a mutex; readers get an immutable snapshot.
class cluster_view_cell {
 public:
  void publish(cluster_view v) {
    auto next = std::make_shared<const cluster_view>(std::move(v));
    std::lock_guard lock{mutex_};
    view_ = std::move(next);
  }

  /// The latest view; null until the cluster actor published one (no cluster configured).
  std::shared_ptr<const cluster_view> get() const {
    std::lock_guard lock{mutex_};
    return view_;
  }

  /// The cluster actor judged the membership at `at` (each tick, changed or not).
  void judged(std::chrono::steady_clock::time_point at) {
    judged_at_.store(at.time_since_epoch().count(), std::memory_order_relaxed);
  }

  /// True when the last judgement is older than `max_age` at `now`: the node stood still
  /// (SIGSTOP) or its cluster actor stalled, so the view may say a majority that is gone.
  /// False before the first judgement.
  bool stale(std::chrono::steady_clock::time_point now, std::chrono::milliseconds max_age) const {
    auto at = judged_at_.load(std::memory_order_relaxed);
    return at != 0 &&
           now.time_since_epoch().count() - at >
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(max_age).count();
  }

  /// The cluster actor's latest membership::lease_until(): set on every heartbeat, echo and
  /// tick.
  void lease_until(std::chrono::steady_clock::time_point until) {
    lease_until_.store(until.time_since_epoch().count(), std::memory_order_relaxed);
  }

  /// True when this node holds the majority lease at `now` (membership.hpp): a strict
  /// majority of the members echoed one of its heartbeats lately. False before the cluster
  /// actor set one.
  bool leased(std::chrono::steady_clock::time_point now) const {
    return now.time_since_epoch().count() < lease_until_.load(std::memory_order_relaxed);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const cluster_view> view_;
  std::atomic<std::chrono::steady_clock::rep> judged_at_{0};
  std::atomic<std::chrono::steady_clock::rep> lease_until_{
      std::chrono::steady_clock::time_point::min().time_since_epoch().count()};
};

/// What a refused write says.
inline constexpr const char* no_majority =
    "this node cannot reach a majority of the cluster; try another node";

/// True when writes must be refused (503 unavailable): the node is in a cluster and sees no
/// majority, so it might be on the losing side of a partition (keep-majority), or holds no
/// majority lease, so it might have been marked down while it stood still.
inline bool refuses_writes(const cluster_view_cell* cell) {
  if (cell == nullptr) {
    return false;
  }
  auto view = cell->get();
  return !view || !view->has_majority || !cell->leased(std::chrono::steady_clock::now());
}

}  // namespace plexichat::actors::cluster
