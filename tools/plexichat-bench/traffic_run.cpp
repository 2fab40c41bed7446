#include "tools/plexichat-bench/traffic_run.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <set>

#include "tools/plexichat-bench/send_schedule.hpp"

namespace plexichat::bench {
namespace {

double tool_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

double seconds_between(int64_t from_ns, int64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}

}  // namespace

traffic_run::traffic_run(bench_context& ctx, traffic_plan plan)
    : session_set(ctx), plan_(std::move(plan)), timer_(ctx.io) {}

bool traffic_run::set_up(bench_report& report) {
  std::string error;
  auto users = static_cast<size_t>(plan_.users);
  if (!ctx_.make_users(plan_.users, "b" + plan_.scenario.substr(0, 2), tokens_, error)) {
    report.problem(error);
    return false;
  }
  std::vector<std::string> creators;
  for (int c = 0; c < plan_.channels; ++c) {
    creators.push_back(tokens_[static_cast<size_t>(c) % users]);
  }
  std::vector<std::string> ids;
  if (!ctx_.make_channels(creators, plan_.scenario, ids, error)) {
    report.problem(error);
    return false;
  }
  std::set<std::pair<size_t, int>> members;
  for (int c = 0; c < plan_.channels; ++c) {
    channels_.push_back({ids[static_cast<size_t>(c)], 0});
    members.insert({static_cast<size_t>(c) % users, c});
  }
  std::vector<std::pair<std::string, std::string>> joins;
  for (size_t i = 0; i < plan_.sessions.size(); ++i) {
    int c = plan_.sessions[i].channel;
    if (members.insert({i % users, c}).second) {
      joins.emplace_back(tokens_[i % users], ids[static_cast<size_t>(c)]);
    }
  }
  if (!ctx_.join_channels(joins, error)) {
    report.problem(error);
    return false;
  }
  senders_.assign(plan_.sessions.size(), {});
  auto sending = static_cast<size_t>(std::count_if(plan_.sessions.begin(), plan_.sessions.end(),
                                                   [](const auto& s) { return s.sends; }));
  for (size_t i = 0, k = 0; i < plan_.sessions.size(); ++i) {
    if (plan_.sessions[i].sends) {
      senders_[i].phase = send_phase(k++, sending);
    }
  }
  auto n = plan_.sessions.size();
  size_t opened = open(
      n, [&](size_t i) { return tokens_[i % users]; },
      [&](size_t i) {
        const auto& s = plan_.sessions[i];
        return s.subscribes ? channels_[static_cast<size_t>(s.channel)].id : std::string{};
      },
      after_seconds(ctx_.options.node.setup_timeout));
  if (opened < n) {
    report.problem("sessions: " + std::to_string(n - opened) + " of " + std::to_string(n) +
                   " did not open (first: " + first_open_error() + ")");
    return false;
  }
  return true;
}

bench_report traffic_run::run() {
  bench_report report(plan_.scenario);
  if (!set_up(report)) {
    return report;
  }
  const auto& o = ctx_.options.run;
  auto cpu0 = ctx_.sample_node();
  double tool0 = tool_cpu_seconds();
  t0_ns_ = now_ns();
  sending_ = true;
  tick();
  ctx_.run_until([] { return false; }, after_seconds(o.duration));
  sending_ = false;
  timer_.cancel();
  if (o.rate > 0) {
    // What the rate asked for by the end; what the window held back is the node falling
    // behind (acks slower than the rate), not the tool.
    for (size_t i = 0; i < senders_.size(); ++i) {
      if (plan_.sessions[i].sends) {
        auto due = sends_due(o.duration, o.rate, senders_[i].phase);
        sends_due_ += due;
        sends_held_ += due > senders_[i].sent ? due - senders_[i].sent : 0;
      }
    }
  }
  ctx_.run_until([&] { return all_acked(); }, after_seconds(30));
  ctx_.run_until([&] { return all_delivered(); }, after_seconds(o.drain));
  int64_t end_ns = now_ns();
  auto cpu1 = ctx_.sample_node();
  double tool_s = tool_cpu_seconds() - tool0;
  report_figures(report, seconds_between(t0_ns_, last_ack_ns_),
                 seconds_between(t0_ns_, last_delivery_ns_), cpu0, cpu1,
                 seconds_between(t0_ns_, end_ns));
  report.number("tool_cpu_percent", "tool CPU", 100.0 * tool_s / seconds_between(t0_ns_, end_ns),
                "%");
  close_all();
  return report;
}

void traffic_run::tick() {
  if (!sending_) {
    return;
  }
  const auto& o = ctx_.options.run;
  double elapsed = static_cast<double>(now_ns() - t0_ns_) / 1e9;
  auto window = static_cast<uint64_t>(o.window);
  for (size_t i = 0; i < plan_.sessions.size(); ++i) {
    if (!plan_.sessions[i].sends || !is_open_[i]) {
      continue;
    }
    if (o.rate <= 0) {
      top_up(i);
      continue;
    }
    auto& s = senders_[i];
    auto due = sends_due(elapsed, o.rate, s.phase);
    while (s.sent < due && s.in_flight < window) {
      send_one(i);
    }
  }
  timer_.expires_after(std::chrono::milliseconds(1));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      tick();
    }
  });
}

void traffic_run::top_up(size_t i) {
  auto& s = senders_[i];
  while (s.in_flight < static_cast<uint64_t>(ctx_.options.run.window)) {
    send_one(i);
  }
}

void traffic_run::send_one(size_t i) {
  auto& s = senders_[i];
  const auto& channel = channels_[static_cast<size_t>(plan_.sessions[i].channel)];
  std::string nonce = "n" + std::to_string(i) + "-" + std::to_string(s.sent);
  auto content = stamped_content(now_ns(), static_cast<size_t>(ctx_.options.run.size));
  clients_[i]->send(send_frame(channel.id, content, nonce));
  ++s.sent;
  ++s.in_flight;
}

void traffic_run::on_frame(ws_client& c, const scanned_frame& f) {
  int64_t now = now_ns();
  if (f.type == "message") {
    if (f.seq) {
      c.tracker().observe(*f.seq);
    }
    ++deliveries_;
    last_delivery_ns_ = now;
    if (auto stamp = content_stamp(f.content)) {
      delivery_.record(static_cast<uint64_t>(std::max<int64_t>(0, now - *stamp)) / 1000);
    }
  } else if (f.type == "ack") {
    on_ack(c, f, now);
  } else if (f.type == "error") {
    if (!error_frames_++) {
      first_error_frame_ = std::string(f.code) + " (nonce " + std::string(f.nonce) + ")";
    }
    auto& s = senders_[c.index()];
    if (!f.nonce.empty() && s.in_flight) {
      --s.in_flight;
      ++s.errors;
    }
  }
}

void traffic_run::on_ack(ws_client& c, const scanned_frame& f, int64_t now) {
  auto& s = senders_[c.index()];
  ++s.acked;
  if (s.in_flight) {
    --s.in_flight;
  }
  last_ack_ns_ = now;
  if (auto stamp = content_stamp(f.content)) {
    ack_.record(static_cast<uint64_t>(std::max<int64_t>(0, now - *stamp)) / 1000);
  }
  auto& channel = channels_[static_cast<size_t>(plan_.sessions[c.index()].channel)];
  channel.newest_acked = std::max(channel.newest_acked, f.seq.value_or(0));
  if (sending_ && ctx_.options.run.rate <= 0) {
    top_up(c.index());
  }
}

bool traffic_run::all_acked() const {
  for (size_t i = 0; i < senders_.size(); ++i) {
    if (is_open_[i] && senders_[i].in_flight) {
      return false;
    }
  }
  return true;
}

bool traffic_run::all_delivered() const {
  for (size_t i = 0; i < clients_.size(); ++i) {
    const auto& s = plan_.sessions[i];
    if (s.subscribes && is_open_[i] &&
        !clients_[i]->tracker().caught_up(channels_[static_cast<size_t>(s.channel)].newest_acked)) {
      return false;
    }
  }
  return true;
}

}  // namespace plexichat::bench
