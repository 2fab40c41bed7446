#include "config/node_config.hpp"

#include <algorithm>
#include <thread>

namespace plexichat::config {
namespace {

unsigned resolve_threads(unsigned configured) {
  if (configured != 0) {
    return configured;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

unsigned thread_config::effective_scheduler() const {
  return resolve_threads(scheduler);
}

unsigned thread_config::effective_io() const {
  return resolve_threads(io);
}

}  // namespace plexichat::config
