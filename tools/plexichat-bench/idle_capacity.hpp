#pragma once

#include "tools/plexichat-bench/bench_context.hpp"
#include "tools/plexichat-bench/bench_report.hpp"

namespace plexichat::bench {

/// idle: --sessions authenticated sessions subscribed to one channel; the node's VmRSS
/// before and after, per session; then a ping on each.
bench_report run_idle(bench_context& ctx);
/// capacity: --step more subscribed clients at a time, --broadcasters sending one message
/// at a time; a round trip is from a send until the last client has it. Stops once the
/// step's p95 passes --threshold-ms, or at --max-clients, --max-time or a failure.
bench_report run_capacity(bench_context& ctx);

}  // namespace plexichat::bench
