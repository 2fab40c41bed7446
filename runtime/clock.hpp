#pragma once

#include <chrono>
#include <cstdint>

namespace plexichat::runtime {

/// Milliseconds since the Unix epoch (the protocol's time unit).
inline int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Seconds since the Unix epoch (JWT NumericDate).
inline int64_t now_seconds() {
  return now_ms() / 1000;
}

}  // namespace plexichat::runtime
