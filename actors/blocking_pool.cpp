#include "actors/blocking_pool.hpp"

#include <caf/actor_pool.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/atoms.hpp"

namespace plexichat::actors {

namespace {

// The unused index keeps CAF's spawn-argument tuple non-empty: CAF 0.17 dereferences a null
// tuple pointer for argument-less function actors, which UBSan rightly reports.
caf::behavior blocking_worker(caf::event_based_actor*, std::size_t /*index*/) {
  return {
      [](run_atom, blocking_job& job) -> caf::message { return job(); },
  };
}

}  // namespace

caf::actor spawn_blocking_pool(caf::actor_system& sys, std::size_t workers) {
  std::size_t index = 0;
  auto spawn_worker = [&sys, &index] { return sys.spawn<caf::detached>(blocking_worker, index++); };
  return caf::actor_pool::make(sys.dummy_execution_unit(), workers, spawn_worker,
                               caf::actor_pool::round_robin());
}

}  // namespace plexichat::actors
