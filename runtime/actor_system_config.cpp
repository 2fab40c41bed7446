#include "runtime/actor_system_config.hpp"

namespace plexichat::runtime {

node_actor_config::node_actor_config(unsigned scheduler_threads) {
  set("scheduler.max-threads", scheduler_threads);
  // One shared queue that idle workers wait on, instead of work stealing: CAF's stealing
  // workers poll and sleep 50 us at a time while idle, which on a node kept busy by many
  // small messages from the I/O threads cost a third more CPU per delivered message
  // (plexichat-bench fanout; tools/plexichat-bench/README.md).
  set("scheduler.policy", caf::atom("sharing"));
  set("logger.console", caf::atom("none"));
  set("logger.file-verbosity", caf::atom("quiet"));
}

}  // namespace plexichat::runtime
