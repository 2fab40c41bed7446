#include "runtime/actor_system_config.hpp"

namespace plexichat::runtime {

node_actor_config::node_actor_config(unsigned scheduler_threads) {
  set("scheduler.max-threads", scheduler_threads);
  set("logger.console", caf::atom("none"));
  set("logger.file-verbosity", caf::atom("quiet"));
}

}  // namespace plexichat::runtime
