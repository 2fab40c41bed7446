#include "config/node_config.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace plexichat::config {
namespace {

/// The cores this process may run on (as `nproc` counts them: a node started under
/// `taskset -c 1` has one), else the machine's.
unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned resolve_threads(unsigned configured) {
  return configured != 0 ? configured : usable_cores();
}

}  // namespace

unsigned thread_config::effective_scheduler() const {
  return resolve_threads(scheduler);
}

unsigned thread_config::effective_io() const {
  return resolve_threads(io);
}

}  // namespace plexichat::config
