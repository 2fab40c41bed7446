#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/cluster/membership.hpp"

namespace plexichat::actors::cluster {

/// What the cluster looks like from this node at one moment: published by the cluster actor
/// on every change, read by any thread (the HTTP layer's /readyz) without asking an actor.
struct cluster_view {
  std::string self;
  bool has_majority = true;
  std::vector<member_info> members;  ///< this node included, in name order
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

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const cluster_view> view_;
};

/// What a refused write says.
inline constexpr const char* no_majority =
    "this node cannot reach a majority of the cluster; try another node";

/// True when writes must be refused (503 unavailable): the node is in a cluster and sees no
/// majority, so it might be on the losing side of a partition (keep-majority).
inline bool refuses_writes(const cluster_view_cell* cell) {
  if (cell == nullptr) {
    return false;
  }
  auto view = cell->get();
  return !view || !view->has_majority;
}

}  // namespace plexichat::actors::cluster
