#pragma once

#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

#include "tools/plexichat-bench/bench_report.hpp"
#include "tools/plexichat-bench/latency_histogram.hpp"
#include "tools/plexichat-bench/session_set.hpp"

namespace plexichat::bench {

/// The shape of a traffic scenario: channels, and sessions that subscribe to one channel,
/// send into it, or both.
struct traffic_plan {
  std::string scenario;
  int channels = 1;
  struct session {
    int channel = 0;
    bool subscribes = false;
    bool sends = false;
  };
  std::vector<session> sessions;
  int users = 1;  ///< session i is user i % users
};

/// Runs a traffic plan: sets up users, channels and sessions, sends for --duration at
/// --rate per sender (at most --window unanswered), waits for the acks and up to --drain
/// for the deliveries, and reports deliveries, latencies, acks, losses, gaps and the
/// node's CPU. One thread: the context's loop.
class traffic_run : public session_set {
 public:
  traffic_run(bench_context& ctx, traffic_plan plan);

  bench_report run();

  void on_frame(ws_client& c, const scanned_frame& f) override;

 private:
  struct sender_state {
    uint64_t sent = 0;
    uint64_t acked = 0;
    uint64_t errors = 0;
    uint64_t in_flight = 0;
    double phase = 0;  ///< send_phase: where in each interval this sender's sends fall
  };
  struct channel_state {
    std::string id;
    uint64_t newest_acked = 0;
  };

  bool set_up(bench_report& report);
  void tick();
  void send_one(size_t i);
  void top_up(size_t i);
  void on_ack(ws_client& c, const scanned_frame& f, int64_t now);
  [[nodiscard]] bool all_acked() const;
  [[nodiscard]] size_t subscribers_of(int channel) const;
  [[nodiscard]] bool all_delivered() const;
  void report_figures(bench_report& r, double send_s, double deliver_s,
                      const std::optional<process_sample>& cpu0,
                      const std::optional<process_sample>& cpu1, double cpu_s);

  traffic_plan plan_;
  std::vector<channel_state> channels_;
  std::vector<sender_state> senders_;
  std::vector<std::string> tokens_;
  boost::asio::steady_timer timer_;
  latency_histogram delivery_;
  latency_histogram ack_;
  std::string content_pad_;
  uint64_t deliveries_ = 0;
  uint64_t sends_due_ = 0;
  uint64_t sends_held_ = 0;
  uint64_t error_frames_ = 0;
  std::string first_error_frame_;
  int64_t t0_ns_ = 0;
  int64_t last_ack_ns_ = 0;
  int64_t last_delivery_ns_ = 0;
  bool sending_ = false;
};

}  // namespace plexichat::bench
