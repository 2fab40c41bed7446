#include "runtime/stop_sequence.hpp"

#include <spdlog/spdlog.h>

namespace plexichat::runtime {

void stop_sequence::run() {
  while (!stops_.empty()) {
    auto e = std::move(stops_.back());
    stops_.pop_back();
    spdlog::info("stopping {}", e.name);
    e.stop();
  }
}

}  // namespace plexichat::runtime
