#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "runtime/actor_table.hpp"

namespace plexichat::runtime {

/// The node's metrics, served on /metrics in the Prometheus text format. Every member is
/// thread-safe (prometheus-cpp uses atomics), so any actor or I/O thread updates them directly.
class node_metrics {
 public:
  node_metrics();

  /// The registry in the Prometheus text exposition format; the actor gauges are read from
  /// the watched actor table first.
  std::string render() const;

  /// Makes render() show plexichat_actors{kind} and plexichat_actor_mailbox_depth{kind} from
  /// `table`, which must outlive this object (or be unwatched with nullptr).
  void watch_actors(const actor_table* table) { actors_table_ = table; }

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  const actor_table* actors_table_ = nullptr;

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
  prometheus::Counter& nonce_disk_reads;
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
  /// Cluster members joining or changing state (up, suspect, down) as this node saw it.
  prometheus::Counter& membership_changes;
  /// From an append sent to a channel replica to its acknowledgement (owners only).
  prometheus::Histogram& replication_lag_seconds;
  /// Copy rounds (a page each) sent to bring lagging replicas up to date, and their messages.
  prometheus::Counter& replica_catchups;
  prometheus::Counter& replica_catchup_messages;
  /// This node's backups: finished, by result ("done", "failed").
  prometheus::Family<prometheus::Counter>& backups;
  prometheus::Gauge& backup_running;        ///< 1 while a backup job runs
  prometheus::Gauge& backup_items_done;     ///< items stored by the running (or last) backup
  prometheus::Gauge& backup_items_total;    ///< items that backup stores in all
  prometheus::Gauge& backup_last_success;   ///< Unix time of the last backup that finished
  prometheus::Counter& backup_shard_bytes;  ///< encoded shard bytes sent to holders
  /// The shards this node holds for its peers, and its scrubs.
  prometheus::Gauge& shards_held;
  prometheus::Gauge& shard_bytes_held;
  prometheus::Counter& scrubs;
  prometheus::Counter& scrub_shards_checked;
  prometheus::Gauge& scrub_corrupt;    ///< corrupt shards the last scrub found
  prometheus::Gauge& scrub_last_time;  ///< Unix time of the last scrub's end
  prometheus::Family<prometheus::Gauge>& actors_by_kind;
  prometheus::Family<prometheus::Gauge>& mailbox_by_kind;

  /// The rate_limited counter of one scope: address, user, login_account, login_address or
  /// ws_session.
  prometheus::Counter& rate_limited_in(const std::string& scope) {
    return rate_limited.Add({{"scope", scope}});
  }
};

}  // namespace plexichat::runtime
