#pragma once

#include "tools/plexichat-bench/bench_context.hpp"
#include "tools/plexichat-bench/bench_report.hpp"

namespace plexichat::bench {

/// fanout: --subscribers in one channel, one sender.
bench_report run_fanout(bench_context& ctx);
/// rooms: --channels of --members, every member subscribed and sending.
bench_report run_rooms(bench_context& ctx);
/// durable: --senders, each into its own channel (or --one-channel), nobody subscribed.
bench_report run_durable(bench_context& ctx);

}  // namespace plexichat::bench
