#include "runtime/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace plexichat::runtime {

namespace {

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& r, const std::string& name,
                         const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

prometheus::Histogram& latency(prometheus::Registry& r, const std::string& name,
                               const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r).Add(
      {}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1, 0.25, 0.5, 1, 2.5});
}

}  // namespace

node_metrics::node_metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests(counter(*registry_, "plexichat_http_requests_total", "HTTP requests served")),
      http_errors(counter(*registry_, "plexichat_http_errors_total",
                          "HTTP requests answered with a 4xx or 5xx status")),
      http_connections(
          gauge(*registry_, "plexichat_http_connections", "Open HTTP and WebSocket connections")),
      ws_sessions(gauge(*registry_, "plexichat_ws_sessions", "Open WebSocket sessions")),
      ws_frames_received(counter(*registry_, "plexichat_ws_frames_received_total",
                                 "WebSocket frames received from clients")),
      ws_closed_slow_consumer(counter(*registry_, "plexichat_ws_slow_consumer_closes_total",
                                      "Sessions closed with 4009 because their queue overflowed")),
      messages_received(counter(*registry_, "plexichat_messages_received_total",
                                "Messages accepted and made durable")),
      messages_delivered(counter(*registry_, "plexichat_messages_delivered_total",
                                 "Message frames queued to subscribed sessions")),
      messages_deduplicated(counter(*registry_, "plexichat_messages_deduplicated_total",
                                    "Sends answered with an earlier message by nonce")),
      nonce_disk_reads(counter(*registry_, "plexichat_nonce_disk_reads_total",
                               "Sends whose nonce check had to read the disk")),
      ack_latency_seconds(latency(*registry_, "plexichat_ack_latency_seconds",
                                  "From a send reaching its channel to its acknowledgement")),
      channel_actors(gauge(*registry_, "plexichat_channel_actors", "Active channel actors")),
      logins(counter(*registry_, "plexichat_logins_total", "Successful logins")),
      login_failures(counter(*registry_, "plexichat_login_failures_total", "Failed logins")),
      storage_writes(counter(*registry_, "plexichat_storage_synced_writes_total",
                             "Synced RocksDB writes (one per group commit)")),
      storage_write_seconds(latency(*registry_, "plexichat_storage_write_seconds",
                                    "Duration of one synced group-commit write")),
      rate_limited(prometheus::BuildCounter()
                       .Name("plexichat_rate_limited_total")
                       .Help("Requests, login attempts and WebSocket sessions refused by a limit")
                       .Register(*registry_)),
      login_locks(counter(*registry_, "plexichat_login_locks_total",
                          "Usernames and addresses locked after too many failed logins")),
      connections_denied(counter(*registry_, "plexichat_connections_denied_total",
                                 "Client connections closed at accept by net.allow / net.deny")),
      membership_changes(counter(*registry_, "plexichat_membership_changes_total",
                                 "Cluster members that joined or changed state (up, suspect, "
                                 "down) as this node saw them")),
      replication_lag_seconds(latency(*registry_, "plexichat_replication_lag_seconds",
                                      "From an append sent to a channel replica to its answer")),
      replica_catchups(counter(*registry_, "plexichat_replica_copy_rounds_total",
                               "Copy rounds (a page each) sent to lagging channel replicas")),
      replica_catchup_messages(counter(*registry_, "plexichat_replica_catchup_messages_total",
                                       "Messages copied to lagging channel replicas")),
      backups(prometheus::BuildCounter()
                  .Name("plexichat_backups_total")
                  .Help("Backups of this node that ended, by result (done, failed)")
                  .Register(*registry_)),
      backup_running(gauge(*registry_, "plexichat_backup_running", "1 while a backup job runs")),
      backup_items_done(gauge(*registry_, "plexichat_backup_items_done",
                              "Items (chunks, manifest, index) the running or last backup "
                              "stored on its holders")),
      backup_items_total(gauge(*registry_, "plexichat_backup_items",
                               "Items the running or last backup stores in all")),
      backup_last_success(gauge(*registry_, "plexichat_backup_last_success_timestamp_seconds",
                                "Unix time of the last backup that finished")),
      backup_shard_bytes(counter(*registry_, "plexichat_backup_shard_bytes_total",
                                 "Encoded shard bytes of new chunks sent to holders")),
      shards_held(gauge(*registry_, "plexichat_shards_held", "Backup shards held for peers")),
      shard_bytes_held(
          gauge(*registry_, "plexichat_shard_bytes_held", "Bytes of backup shards held for peers")),
      scrubs(counter(*registry_, "plexichat_scrubs_total", "Scrubs of the held shards")),
      scrub_shards_checked(counter(*registry_, "plexichat_scrub_shards_checked_total",
                                   "Shards checked by scrubs (grows while one runs)")),
      scrub_corrupt(gauge(*registry_, "plexichat_scrub_corrupt_shards",
                          "Corrupt shards the last scrub found")),
      scrub_last_time(gauge(*registry_, "plexichat_scrub_last_timestamp_seconds",
                            "Unix time of the last scrub's end")),
      actors_by_kind(prometheus::BuildGauge()
                         .Name("plexichat_actors")
                         .Help("Running long-lived actors by kind")
                         .Register(*registry_)),
      mailbox_by_kind(prometheus::BuildGauge()
                          .Name("plexichat_actor_mailbox_depth")
                          .Help("Messages waiting in the mailboxes of the actors of a kind, as "
                                "each actor last saw its own mailbox")
                          .Register(*registry_)) {
  // Every scope shows from the start, so a dashboard sees 0 rather than nothing.
  for (const char* scope : {"address", "user", "login_account", "login_address", "ws_session"}) {
    rate_limited.Add({{"scope", scope}});
  }
  for (const char* result : {"done", "failed"}) {
    backups.Add({{"result", result}});
  }
}

std::string node_metrics::render() const {
  if (actors_table_ != nullptr) {
    for (const auto& [kind, t] : actors_table_->totals(tracked_kinds())) {
      actors_by_kind.Add({{"kind", kind}}).Set(static_cast<double>(t.actors));
      mailbox_by_kind.Add({{"kind", kind}}).Set(static_cast<double>(t.mailbox));
    }
  }
  return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

}  // namespace plexichat::runtime
