#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace plexichat::runtime {

/// The node's metrics, served on /metrics in the Prometheus text format. Every member is
/// thread-safe (prometheus-cpp uses atomics), so any actor or I/O thread updates them directly.
class node_metrics {
 public:
  node_metrics();

  /// The registry in the Prometheus text exposition format.
  std::string render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  prometheus::Counter& http_requests;
  prometheus::Counter& http_errors;
  prometheus::Gauge& http_connections;
  prometheus::Gauge& ws_sessions;
  prometheus::Counter& ws_frames_received;
  prometheus::Counter& ws_closed_slow_consumer;
  prometheus::Counter& messages_received;
  prometheus::Counter& messages_delivered;
  prometheus::Counter& messages_deduplicated;
  prometheus::Histogram& ack_latency_seconds;
  prometheus::Gauge& channel_actors;
  prometheus::Counter& logins;
  prometheus::Counter& login_failures;
  prometheus::Counter& storage_writes;
  prometheus::Histogram& storage_write_seconds;
  /// plexichat_rate_limited_total{scope=...}: requests, logins and sessions refused by a limit.
  prometheus::Family<prometheus::Counter>& rate_limited;
  prometheus::Counter& login_locks;
  prometheus::Counter& connections_denied;

  /// The rate_limited counter of one scope: address, user, login_account, login_address or
  /// ws_session.
  prometheus::Counter& rate_limited_in(const std::string& scope) {
    return rate_limited.Add({{"scope", scope}});
  }
};

}  // namespace plexichat::runtime
