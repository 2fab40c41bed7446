#include "tools/plexichat-bench/traffic.hpp"

#include "tools/plexichat-bench/traffic_run.hpp"

namespace plexichat::bench {

void traffic_run::report_figures(bench_report& r, double send_s, double deliver_s,
                                 const std::optional<process_sample>& cpu0,
                                 const std::optional<process_sample>& cpu1, double cpu_s) {
  uint64_t sent = 0, acked = 0, expected = 0, losses = 0, gaps = 0, skipped = 0, dups = 0;
  size_t subscribers = 0, senders = 0;
  for (size_t i = 0; i < plan_.sessions.size(); ++i) {
    const auto& s = plan_.sessions[i];
    sent += senders_[i].sent;
    acked += senders_[i].acked;
    senders += s.sends ? 1 : 0;
    if (!s.subscribes) {
      continue;
    }
    ++subscribers;
    const auto& t = clients_[i]->tracker();
    uint64_t newest = channels_[static_cast<size_t>(s.channel)].newest_acked;
    expected += newest > t.after() ? newest - t.after() : 0;
    losses += t.losses(newest);
    gaps += t.gaps();
    skipped += t.skipped();
    dups += t.duplicates();
  }
  r.count("channels", "channels", plan_.channels);
  r.count("subscribers", "subscribed sessions", static_cast<int64_t>(subscribers));
  r.count("senders", "sending sessions", static_cast<int64_t>(senders));
  r.number("duration_s", "sending time", ctx_.options.run.duration, "s", 1);
  if (sends_due_) {
    r.count("sends_due", "sends the rate asked for", static_cast<int64_t>(sends_due_));
    r.count("sends_held", "held back by the window", static_cast<int64_t>(sends_held_));
  }
  r.count("sent", "sent", static_cast<int64_t>(sent));
  r.count("acked", "acknowledged", static_cast<int64_t>(acked));
  r.number("acks_per_s", "acknowledged / s", send_s > 0 ? acked / send_s : 0, "msg/s", 0);
  r.latency("ack_latency", "ack latency", ack_);
  if (subscribers) {
    if (sends_due_) {
      double offered = 0;
      for (const auto& s : plan_.sessions) {
        offered += s.sends ? ctx_.options.run.rate * subscribers_of(s.channel) : 0;
      }
      r.number("offered_deliveries_per_s", "deliveries / s offered", offered, "msg/s", 0);
    }
    r.count("deliveries", "deliveries", static_cast<int64_t>(deliveries_));
    r.count("expected_deliveries", "deliveries expected", static_cast<int64_t>(expected));
    r.number("deliveries_per_s", "deliveries / s", deliver_s > 0 ? deliveries_ / deliver_s : 0,
             "msg/s", 0);
    r.latency("delivery_latency", "delivery latency", delivery_);
    r.count("losses", "losses", static_cast<int64_t>(losses));
    r.count("gaps", "gaps", static_cast<int64_t>(gaps));
    r.count("gap_seqs", "seqs skipped by gaps", static_cast<int64_t>(skipped));
    r.count("duplicates", "duplicates or reordered", static_cast<int64_t>(dups));
  }
  r.count("error_frames", "error frames", static_cast<int64_t>(error_frames_));
  r.count("dropped_sessions", "sessions dropped", static_cast<int64_t>(dropped()));
  if (cpu0 && cpu1 && cpu_s > 0) {
    double node_cpu = static_cast<double>(cpu1->cpu_ticks - cpu0->cpu_ticks) / ticks_per_second();
    r.number("node_cpu_percent", "node CPU", 100.0 * node_cpu / cpu_s, "%");
    uint64_t work = subscribers ? deliveries_ : acked;
    r.number(subscribers ? "node_cpu_us_per_delivery" : "node_cpu_us_per_ack",
             subscribers ? "node CPU per delivery" : "node CPU per ack",
             work ? node_cpu * 1e6 / static_cast<double>(work) : 0, "us", 2);
    r.count("node_rss_kib", "node VmRSS", static_cast<int64_t>(cpu1->rss_kib), "KiB");
  }
  if (error_frames_) {
    r.problem(std::to_string(error_frames_) + " error frames (first: " + first_error_frame_ + ")");
  }
  if (dropped()) {
    r.problem(std::to_string(dropped()) + " sessions dropped (first: " + first_drop() + ")");
  }
  if (acked < sent) {
    r.problem(std::to_string(sent - acked) + " sends not acknowledged");
  }
  if (losses || gaps || dups) {
    r.problem("deliveries: " + std::to_string(losses) + " lost, " + std::to_string(gaps) +
              " gaps, " + std::to_string(dups) + " duplicates");
  }
}

size_t traffic_run::subscribers_of(int channel) const {
  size_t n = 0;
  for (const auto& s : plan_.sessions) {
    n += s.subscribes && s.channel == channel ? 1 : 0;
  }
  return n;
}

bench_report run_fanout(bench_context& ctx) {
  const auto& o = ctx.options.run;
  traffic_plan plan{"fanout", 1, {}, o.users + 1};
  // Sessions 0..S-1 subscribe; the last one sends, as its own user.
  for (int i = 0; i < o.subscribers; ++i) {
    plan.sessions.push_back({0, true, false});
  }
  plan.sessions.push_back({0, false, true});
  plan.users = o.subscribers + 1;
  if (o.users < o.subscribers) {
    plan.users = o.users;
  }
  traffic_run run(ctx, plan);
  return run.run();
}

bench_report run_rooms(bench_context& ctx) {
  const auto& o = ctx.options.run;
  traffic_plan plan{"rooms", o.channels, {}, o.users};
  for (int c = 0; c < o.channels; ++c) {
    for (int m = 0; m < o.members; ++m) {
      plan.sessions.push_back({c, true, true});
    }
  }
  traffic_run run(ctx, plan);
  return run.run();
}

bench_report run_durable(bench_context& ctx) {
  const auto& o = ctx.options.run;
  int channels = o.one_channel ? 1 : o.senders;
  traffic_plan plan{"durable", channels, {}, o.users};
  for (int i = 0; i < o.senders; ++i) {
    plan.sessions.push_back({o.one_channel ? 0 : i, false, true});
  }
  traffic_run run(ctx, plan);
  return run.run();
}

}  // namespace plexichat::bench
