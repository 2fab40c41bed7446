#include "tools/plexichat-bench/idle_capacity.hpp"
#include "tools/plexichat-bench/session_set.hpp"

namespace plexichat::bench {
namespace {

/// Idle sessions that count their pongs.
class idle_sessions : public session_set {
 public:
  using session_set::session_set;

  void on_frame(ws_client&, const scanned_frame& f) override {
    if (f.type == "pong") {
      ++pongs_;
    }
  }

  size_t ping_all(double timeout_s) {
    size_t sent = 0;
    for (size_t i = 0; i < clients_.size(); ++i) {
      if (is_open_[i]) {
        clients_[i]->send(R"({"type":"ping","nonce":"p)" + std::to_string(i) + "\"}");
        ++sent;
      }
    }
    ctx_.run_until([&] { return pongs_ >= sent; }, after_seconds(timeout_s));
    return pongs_;
  }

 private:
  size_t pongs_ = 0;
};

}  // namespace

bench_report run_idle(bench_context& ctx) {
  const auto& o = ctx.options.run;
  bench_report report("idle");
  if (ctx.pid <= 0) {
    report.problem("idle needs the node's pid: --pid PID, or --node-binary");
    return report;
  }
  std::vector<std::string> tokens;
  std::string channel, error;
  if (!ctx.make_room(o.users, "bid", "idle", tokens, channel, error)) {
    report.problem(error);
    return report;
  }
  auto before = ctx.sample_node();
  idle_sessions sessions(ctx);
  auto t0 = bench_clock::now();
  auto n = static_cast<size_t>(o.sessions);
  size_t opened = sessions.open(
      n, [&](size_t i) { return tokens[i % tokens.size()]; }, [&](size_t) { return channel; },
      after_seconds(ctx.options.node.setup_timeout));
  double open_s = std::chrono::duration<double>(bench_clock::now() - t0).count();
  ctx.run_until([] { return false; }, after_seconds(o.settle));
  auto after = ctx.sample_node();
  size_t answering = sessions.ping_all(30);
  report.count("sessions", "sessions asked for", o.sessions);
  report.count("sessions_opened", "sessions opened", static_cast<int64_t>(opened));
  report.number("open_s", "time to open them", open_s, "s", 1);
  report.number("opens_per_s", "sessions opened / s", open_s > 0 ? opened / open_s : 0, "/s", 0);
  report.count("users", "users", o.users);
  report.count("answering", "answering a ping", static_cast<int64_t>(answering));
  report.count("dropped_sessions", "sessions dropped", static_cast<int64_t>(sessions.dropped()));
  if (before && after) {
    auto delta = static_cast<int64_t>(after->rss_kib) - static_cast<int64_t>(before->rss_kib);
    report.count("rss_before_kib", "node VmRSS before", static_cast<int64_t>(before->rss_kib),
                 "KiB");
    report.count("rss_after_kib", "node VmRSS after", static_cast<int64_t>(after->rss_kib), "KiB");
    report.number("kib_per_session", "per session",
                  opened ? static_cast<double>(delta) / static_cast<double>(opened) : 0, "KiB", 2);
  } else {
    report.problem("cannot read /proc of pid " + std::to_string(ctx.pid));
  }
  if (opened < n) {
    report.problem(std::to_string(n - opened) +
                   " sessions did not open (first: " + sessions.first_open_error() + ")");
  }
  if (answering < opened) {
    report.problem(std::to_string(opened - answering) + " sessions did not answer a ping" +
                   (sessions.dropped() ? " (first drop: " + sessions.first_drop() + ")" : ""));
  }
  sessions.close_all();
  return report;
}

}  // namespace plexichat::bench
