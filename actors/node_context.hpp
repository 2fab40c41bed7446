#pragma once

#include <caf/actor.hpp>

#include "actors/cluster/cluster_view.hpp"
#include "config/node_config.hpp"
#include "runtime/actor_table.hpp"
#include "runtime/crypto.hpp"
#include "runtime/metrics.hpp"
#include "runtime/request_limits.hpp"
#include "runtime/revocation_list.hpp"
#include "runtime/token.hpp"
#include "runtime/token_keys.hpp"
#include "storage/database.hpp"
#include "storage/group_commit.hpp"

namespace plexichat::actors {

/// What every actor of a node shares. Owned by the node's wiring (tools/); outlives the actor
/// system, so actors keep a plain pointer to it.
struct node_context {
  const config::node_config* config = nullptr;
  storage::database* db = nullptr;
  storage::group_commit* writer = nullptr;
  const runtime::token_signer* signer = nullptr;
  /// The cluster's token keys by issuer (this node's included); tokens are verified with
  /// their issuer's key. Null without a cluster: tokens are verified with `signer`'s key.
  runtime::token_keys* token_keys = nullptr;
  runtime::revocation_list* revocations = nullptr;
  runtime::node_metrics* metrics = nullptr;
  runtime::request_limits* limits = nullptr;  ///< rate limits and login throttle; null = none
  runtime::pwhash_cost password_cost = runtime::pwhash_cost::interactive;
  caf::actor blocking;   ///< detached workers for blocking calls (spawn_blocking_pool)
  caf::actor directory;  ///< the users (directory/)
  caf::actor channels;   ///< the channel registry (channel/)
  caf::actor audit;      ///< the security audit log (audit/)
  caf::actor access;     ///< node roles (access/)
  caf::actor cluster;    ///< membership and peers (cluster/); none without a cluster listener
  caf::actor replica;    ///< this node's channel log copies (channel/replica.hpp); cluster only
  caf::actor shards;     ///< backup shards held for peers (backup/shard_holder.hpp); cluster only
  caf::actor backups;    ///< this node's backups (backup/coordinator.hpp); cluster only
  caf::actor posts;      ///< posts to other nodes' channels, batched (channel/post_relay.hpp)
  const cluster::cluster_view_cell* cluster_view = nullptr;  ///< none without a cluster
  runtime::actor_table* actor_table = nullptr;  ///< long-lived actors register; null = none
  caf::actor inspector;                         ///< answers the console (inspector/)
  caf::actor session_clock;  ///< ticks ready WebSocket sessions (session/session_clock.hpp)
  int64_t started_ms = 0;    ///< when the node started (ms since epoch)
};

}  // namespace plexichat::actors
