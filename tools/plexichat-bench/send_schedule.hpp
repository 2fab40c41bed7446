#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace plexichat::bench {

/// The phase of sender `index` of `count`: the fraction of one send interval by which it
/// starts late, so that N senders at the same rate spread their sends evenly over each
/// interval instead of all sending at the same instant (a burst the node then clears one
/// message after another, which a run would report as latency). In [0, 1).
inline double send_phase(std::size_t index, std::size_t count) {
  return count == 0 ? 0.0 : static_cast<double>(index % count) / static_cast<double>(count);
}

/// How many sends a sender at `rate` a second with `phase` (send_phase) owes by `elapsed`
/// seconds after the start: send k is due at (k + phase) / rate, so phase 0 sends one at once.
inline uint64_t sends_due(double elapsed, double rate, double phase) {
  double k = elapsed * rate - phase;
  return k < 0 ? 0 : static_cast<uint64_t>(std::floor(k)) + 1;
}

}  // namespace plexichat::bench
