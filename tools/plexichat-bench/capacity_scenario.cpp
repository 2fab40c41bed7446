#include <charconv>
#include <cstdio>

#include "tools/plexichat-bench/idle_capacity.hpp"
#include "tools/plexichat-bench/latency_histogram.hpp"
#include "tools/plexichat-bench/session_set.hpp"

namespace plexichat::bench {
namespace {

constexpr int64_t broadcast_timeout_ns = 5'000'000'000;

/// Subscribed clients plus broadcasters, each broadcaster with one broadcast in flight.
class capacity_sessions : public session_set {
 public:
  capacity_sessions(bench_context& ctx, std::string channel)
      : session_set(ctx), channel_(std::move(channel)) {}

  struct broadcaster {
    size_t client = 0;
    uint64_t number = 0;  // of the broadcast in flight
    int64_t sent_ns = 0;  // 0: none in flight
    size_t target = 0;    // clients open when it was sent
    size_t received = 0;
    int left = 0;  // broadcasts still to send this step
  };

  void add_broadcaster(size_t client) { broadcasters_.push_back({client}); }

  /// One step: each broadcaster sends --samples broadcasts one after the other.
  latency_histogram run_step(int samples, bench_clock::time_point deadline) {
    step_ = {};
    for (size_t b = 0; b < broadcasters_.size(); ++b) {
      broadcasters_[b].left = samples;
      send_next(b);
    }
    ctx_.run_until([&] { return step_done(); }, deadline);
    return step_;
  }

  void on_frame(ws_client& c, const scanned_frame& f) override {
    if (f.type == "message") {
      if (f.seq) {
        c.tracker().observe(*f.seq);
      }
      on_delivery(f.nonce);
    } else if (f.type == "error") {
      ++errors_;
    }
  }

  [[nodiscard]] uint64_t errors() const { return errors_; }
  [[nodiscard]] uint64_t timeouts() const { return timeouts_; }
  [[nodiscard]] size_t subscribers_open() const {
    size_t open = opened() - std::min(opened(), dropped());
    return open - std::min(open, broadcasters_.size());
  }
  [[nodiscard]] uint64_t gaps() const {
    uint64_t n = 0;
    for (const auto& c : clients_) {
      n += c->tracker().gaps() + c->tracker().duplicates();
    }
    return n;
  }

 private:
  void send_next(size_t b) {
    auto& s = broadcasters_[b];
    s.sent_ns = 0;
    if (s.left <= 0 || !is_open_[s.client]) {
      return;
    }
    --s.left;
    ++s.number;
    s.target = subscribers_open();
    s.received = 0;
    s.sent_ns = now_ns();
    std::string nonce = "c" + std::to_string(b) + "-" + std::to_string(s.number);
    auto content = stamped_content(s.sent_ns, static_cast<size_t>(ctx_.options.run.size));
    clients_[s.client]->send(send_frame(channel_, content, nonce));
  }

  void on_delivery(std::string_view nonce) {
    // "c<broadcaster>-<number>"
    size_t b = 0;
    uint64_t number = 0;
    if (nonce.size() < 4 || nonce[0] != 'c') {
      return;
    }
    auto r1 = std::from_chars(nonce.data() + 1, nonce.data() + nonce.size(), b);
    if (r1.ec != std::errc{} || r1.ptr == nonce.data() + nonce.size() || *r1.ptr != '-' ||
        b >= broadcasters_.size()) {
      return;
    }
    std::from_chars(r1.ptr + 1, nonce.data() + nonce.size(), number);
    auto& s = broadcasters_[b];
    if (!s.sent_ns || number != s.number || ++s.received < s.target) {
      return;
    }
    step_.record(static_cast<uint64_t>(now_ns() - s.sent_ns) / 1000);
    send_next(b);
  }

  bool step_done() {
    bool done = true;
    int64_t now = now_ns();
    for (size_t b = 0; b < broadcasters_.size(); ++b) {
      auto& s = broadcasters_[b];
      if (s.sent_ns && now - s.sent_ns > broadcast_timeout_ns) {
        ++timeouts_;
        step_.record(static_cast<uint64_t>(now - s.sent_ns) / 1000);
        send_next(b);
      }
      done = done && !s.sent_ns;
    }
    return done;
  }

  std::string channel_;
  std::vector<broadcaster> broadcasters_;
  latency_histogram step_;
  uint64_t errors_ = 0;
  uint64_t timeouts_ = 0;
};

std::string step_line(size_t clients, const latency_histogram& h) {
  char line[160];
  std::snprintf(line, sizeof line, "%zu clients: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%llu)",
                clients, h.percentile(50) / 1000.0, h.percentile(95) / 1000.0,
                h.percentile(99) / 1000.0, static_cast<unsigned long long>(h.count()));
  return line;
}

}  // namespace

bench_report run_capacity(bench_context& ctx) {
  const auto& o = ctx.options.run;
  bench_report report("capacity");
  auto stop_at = after_seconds(o.max_time);
  std::vector<std::string> tokens;
  std::string channel, error;
  if (!ctx.make_room(o.users, "bca", "capacity", tokens, channel, error)) {
    report.problem(error);
    return report;
  }
  capacity_sessions sessions(ctx, channel);
  auto token_of = [&](size_t i) { return tokens[i % tokens.size()]; };
  auto b = static_cast<size_t>(o.broadcasters);
  if (sessions.open(
          b, token_of, [](size_t) { return std::string{}; }, stop_at) < b) {
    report.problem("broadcasters did not open: " + sessions.first_open_error());
    return report;
  }
  for (size_t i = 0; i < b; ++i) {
    sessions.add_broadcaster(i);
  }
  size_t reached = 0;
  std::string stopped = "--max-clients";
  nlohmann::json steps = nlohmann::json::array();
  for (int step = 1;; ++step) {
    size_t want =
        std::min<size_t>(static_cast<size_t>(o.step), static_cast<size_t>(o.max_clients) - reached);
    size_t opened = sessions.open(
        want, token_of, [&](size_t) { return channel; }, stop_at);
    size_t clients = sessions.subscribers_open();
    auto h = sessions.run_step(o.samples, stop_at);
    steps.push_back({{"clients", clients},
                     {"p50_ms", h.percentile(50) / 1000.0},
                     {"p95_ms", h.percentile(95) / 1000.0},
                     {"p99_ms", h.percentile(99) / 1000.0},
                     {"broadcasts", h.count()}});
    report.text("step" + std::to_string(step), "step " + std::to_string(step),
                step_line(clients, h));
    bool under = h.percentile(95) / 1000.0 <= o.threshold_ms;
    if (under) {
      reached = clients;
    }
    if (!under) {
      stopped = "p95 passed " + std::to_string(static_cast<int>(o.threshold_ms)) + " ms";
      break;
    }
    if (opened < want) {
      stopped = "clients failed to open (first: " + sessions.first_open_error() + ")";
      break;
    }
    if (bench_clock::now() >= stop_at) {
      stopped = "--max-time";
      break;
    }
    if (reached >= static_cast<size_t>(o.max_clients)) {
      break;
    }
  }
  report.attach("steps", steps);
  report.count("clients_reached", "clients reached", static_cast<int64_t>(reached));
  report.text("stopped_by", "stopped by", stopped);
  report.count("broadcast_timeouts", "broadcasts not received by all in 5 s",
               static_cast<int64_t>(sessions.timeouts()));
  report.count("error_frames", "error frames", static_cast<int64_t>(sessions.errors()));
  report.count("gaps", "gaps and duplicates", static_cast<int64_t>(sessions.gaps()));
  report.count("dropped_sessions", "sessions dropped", static_cast<int64_t>(sessions.dropped()));
  if (sessions.errors() || sessions.gaps()) {
    report.problem("error frames or gaps seen");
  }
  sessions.close_all();
  return report;
}

}  // namespace plexichat::bench
