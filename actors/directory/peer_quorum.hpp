#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/actor.hpp>

#include "actors/cluster/cluster_view.hpp"
#include "actors/directory/directory_state.hpp"
#include "config/node_config.hpp"

// Internal to actors/directory/: writes the peers' directories confirm, counted against W.
namespace plexichat::actors::directory {

/// How long a peer's directory may take to store a write or send a copy.
inline constexpr auto peer_timeout = std::chrono::seconds{3};

/// The latest cluster view; null without a cluster.
inline std::shared_ptr<const cluster::cluster_view> current_view(directory_actor* self) {
  const auto* cell = self->state.ctx->cluster_view;
  return cell == nullptr ? nullptr : cell->get();
}

/// How many peers must confirm a write of an account for W nodes to hold it, this one
/// included, when `holders` nodes hold it (the account's replicas; every live member for a
/// user not known here): W counts among the holders, as a channel's quorum counts among its
/// replicas, so it is at most all of them.
inline std::size_t peers_needed(std::size_t write_quorum, std::size_t holders) {
  return std::min(std::max<std::size_t>(write_quorum, 1), std::max<std::size_t>(holders, 1)) - 1;
}

/// The nodes that hold `username`'s account in `view`: its R replicas, the home first.
inline std::vector<std::string> account_replicas(const directory_actor* self,
                                                 const cluster::cluster_view& view,
                                                 const std::string& username) {
  return view.placement(username, self->state.ctx->config->cluster.replication_factor);
}

/// The `done(ok)` of a peer's write: answers true, or unavailable when it could not be stored.
inline std::function<void(bool)> answer_stored(caf::typed_response_promise<bool> rp) {
  return [rp](bool ok) mutable {
    if (ok) {
      rp.deliver(true);
    } else {
      rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
    }
  };
}

/// Sends (xs...) to every directory of `dirs`, each answering bool, and runs `done(ok)`
/// once: ok when `needed` of them confirmed. Without `wait_for_all` that is as soon as
/// `needed` confirmed; with it, once every one answered or timed out. `what` names the
/// write in the warning about a peer that did not confirm.
template <class... Ts>
void confirm_with_peers(directory_actor* self, const std::map<std::string, caf::actor>& dirs,
                        std::size_t needed, bool wait_for_all, std::string what,
                        std::function<void(bool)> done, const Ts&... xs) {
  struct tally {
    std::size_t acks = 0;
    std::size_t answers = 0;
    bool decided = false;
  };
  auto t = std::make_shared<tally>();
  auto total = dirs.size();
  auto settle = [t, needed, total, wait_for_all, done] {
    if (t->decided) {
      return;
    }
    if ((!wait_for_all && t->acks >= needed) || t->answers == total) {
      t->decided = true;
      done(t->acks >= needed);
    }
  };
  settle();
  for (const auto& [node, dir] : dirs) {
    self->request(dir, peer_timeout, xs...)
        .then(
            [t, settle](bool) {
              ++t->acks;
              ++t->answers;
              settle();
            },
            [self, t, settle, node = node, what](caf::error& err) {
              spdlog::warn("directory: node {} did not confirm {}: {}", node, what,
                           self->system().render(err));
              ++t->answers;
              settle();
            });
  }
}

}  // namespace plexichat::actors::directory
