#pragma once

#include <caf/actor_system_config.hpp>

namespace plexichat::runtime {

/// CAF's configuration for a node: scheduler threads from the node config, CAF's own logging
/// off (the node logs through spdlog). Message types that cross nodes are registered here.
class node_actor_config : public caf::actor_system_config {
 public:
  explicit node_actor_config(unsigned scheduler_threads);
};

}  // namespace plexichat::runtime
