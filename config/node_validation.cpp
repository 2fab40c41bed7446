// validate(): the ranges of every value and the relations between them.
#include <algorithm>
#include <array>
#include <string>

#include "config/node_config.hpp"
#include "config/units.hpp"

namespace plexichat::config {
namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = 1024 * 1024;
constexpr std::size_t max_name_chars = 64;
constexpr unsigned max_threads = 1024;
// Four bytes per code point of UTF-8, plus room for the JSON around the content.
constexpr std::size_t bytes_per_char = 4;
constexpr std::size_t envelope_bytes = 1024;

constexpr std::array<std::string_view, 7> log_levels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
constexpr std::array<std::string_view, 4> hash_costs{"interactive", "moderate", "sensitive", "min"};

void check_range(const std::string& key, std::size_t value, std::size_t low, std::size_t high) {
  if (value < low || value > high) {
    throw config_error(key, "must be between " + std::to_string(low) + " and " +
                                std::to_string(high) + ", got " + std::to_string(value));
  }
}

template <typename Duration>
void check_duration(const std::string& key, Duration value, std::chrono::milliseconds low,
                    std::chrono::milliseconds high) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(value);
  if (ms < low || ms > high) {
    throw config_error(key, "must be between " + format_duration(low) + " and " +
                                format_duration(high) + ", got " + format_duration(ms));
  }
}

template <std::size_t N>
void check_one_of(const std::string& key, const std::string& value,
                  const std::array<std::string_view, N>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return;
  }
  std::string list;
  for (const auto item : allowed) {
    list += (list.empty() ? "" : ", ") + std::string(item);
  }
  throw config_error(key, "must be one of " + list + ", got '" + value + "'");
}

void check_name(const std::string& key, const std::string& name) {
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (name.empty() || name.size() > max_name_chars || !valid_chars) {
    throw config_error(key, "must be 1 to " + std::to_string(max_name_chars) +
                                " characters of [A-Za-z0-9_.-], got '" + name + "'");
  }
}

void check_address(const std::string& key, const host_port& address) {
  if (address.host.empty()) {
    throw config_error(key, "host must not be empty");
  }
  if (address.port == 0) {
    throw config_error(key, "port must be between 1 and 65535, got 0");
  }
}

void check_sizes(const limits_config& l) {
  check_range("limits.max_body_bytes", l.max_body_bytes, kib, 64 * mib);
  check_range("limits.max_header_bytes", l.max_header_bytes, kib, mib);
  check_range("limits.max_frame_bytes", l.max_frame_bytes, kib, 64 * mib);
  check_range("limits.max_json_depth", l.max_json_depth, 2, 256);
  check_range("limits.outbound_queue_frames", l.outbound_queue_frames, 1, mib);
  check_range("limits.max_connections", l.max_connections, 1, mib);
  check_range("limits.max_message_chars", l.max_message_chars, 1, mib);
  check_range("limits.max_channel_name_chars", l.max_channel_name_chars, 1, kib);
  check_range("limits.max_topic_chars", l.max_topic_chars, 0, 64 * kib);
  check_range("limits.min_password_chars", l.min_password_chars, 1, kib);
  check_range("limits.max_password_bytes", l.max_password_bytes, 1, 64 * kib);
  check_range("limits.history_max_limit", l.history_max_limit, 1, 10000);
  check_range("limits.history_default_limit", l.history_default_limit, 1, 10000);
}

void check_limit_relations(const limits_config& l) {
  if (l.history_default_limit > l.history_max_limit) {
    throw config_error("limits.history_default_limit",
                       "must not exceed limits.history_max_limit (" +
                           std::to_string(l.history_max_limit) + "), got " +
                           std::to_string(l.history_default_limit));
  }
  if (l.min_password_chars > l.max_password_bytes) {
    throw config_error("limits.min_password_chars", "must not exceed limits.max_password_bytes (" +
                                                        std::to_string(l.max_password_bytes) +
                                                        "), got " +
                                                        std::to_string(l.min_password_chars));
  }
  const std::size_t message_bytes = l.max_message_chars * bytes_per_char + envelope_bytes;
  for (const auto& [key, value] : {std::pair{"limits.max_frame_bytes", l.max_frame_bytes},
                                   std::pair{"limits.max_body_bytes", l.max_body_bytes}}) {
    if (value < message_bytes) {
      throw config_error(key, "must hold a message of limits.max_message_chars (" +
                                  std::to_string(l.max_message_chars) + ") code points: at least " +
                                  std::to_string(message_bytes) + ", got " + std::to_string(value));
    }
  }
}

void check_durations(const node_config& cfg) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto day = hours(24);
  check_duration("limits.auth_timeout", cfg.limits.auth_timeout, milliseconds(10), hours(1));
  check_duration("limits.http_idle_timeout", cfg.limits.http_idle_timeout, milliseconds(10), day);
  check_duration("limits.ws_idle_timeout", cfg.limits.ws_idle_timeout, milliseconds(100), day);
  check_duration("auth.token_ttl", cfg.auth.token_ttl, seconds(1), 365 * day);
  check_duration("channels.idle_stop", cfg.channels.idle_stop, milliseconds(10), 7 * day);
  check_duration("channels.nonce_ttl", cfg.channels.nonce_ttl, seconds(1), 365 * day);
  check_duration("channels.fan_out_max_hold", cfg.channels.fan_out_max_hold, milliseconds(0),
                 seconds(1));
  check_range("channels.fan_out_turns", cfg.channels.fan_out_turns, 1, 8);
  check_duration("storage.sync_interval", cfg.storage.sync_interval, milliseconds(0),
                 milliseconds(100));
  const auto& b = cfg.backup;
  check_range("backup.data_shards", b.data_shards, 1, 32);
  check_range("backup.parity_shards", b.parity_shards, 1, 32);
  check_range("backup.retention", b.retention, 1, 1000);
  if (b.interval.count() != 0) {
    check_duration("backup.interval", b.interval, minutes(1), 365 * day);
  }
  check_duration("backup.scrub_interval", b.scrub_interval, seconds(1), 365 * day);
  if (b.check_interval.count() != 0) {
    check_duration("backup.check_interval", b.check_interval, seconds(1), 365 * day);
  }
  const auto& ct = cfg.cluster;
  check_duration("cluster.heartbeat_interval", ct.heartbeat_interval, milliseconds(50),
                 seconds(10));
  check_duration("cluster.suspect_after", ct.suspect_after, milliseconds(100), minutes(10));
  check_duration("cluster.down_after", ct.down_after, milliseconds(100), hours(1));
  // A channel owner's majority lease lasts suspect_after less one heartbeat interval, and is
  // renewed every heartbeat interval: it needs room for at least two.
  if (ct.suspect_after < 3 * ct.heartbeat_interval) {
    throw config_error("cluster.suspect_after",
                       "must be at least 3 times cluster.heartbeat_interval");
  }
  if (ct.down_after < ct.suspect_after) {
    throw config_error("cluster.down_after", "must be at least cluster.suspect_after");
  }
  check_range("cluster.replication_factor", ct.replication_factor, 1, 7);
  check_range("cluster.write_quorum", ct.write_quorum, 1, 7);
  if (ct.write_quorum > ct.replication_factor) {
    throw config_error("cluster.write_quorum", "must be at most cluster.replication_factor");
  }
}

void check_admins(const std::vector<std::string>& admins) {
  for (std::size_t i = 0; i < admins.size(); ++i) {
    const std::string key = "auth.admins[" + std::to_string(i) + "]";
    const auto& name = admins[i];
    const bool chars_ok = std::all_of(name.begin(), name.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
             ch == '-';
    });
    if (name.size() < 3 || name.size() > 32 || !chars_ok) {
      throw config_error(key,
                         "must be a lowercase username of 3 to 32 characters of a-z, 0-9, "
                         "_ . -, got '" +
                             name + "'");
    }
    if (std::find(admins.begin(), admins.end(), name) !=
        admins.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw config_error(key, "repeats '" + name + "'");
    }
  }
}

void check_cluster(const node_config& cfg) {
  if (!cfg.certs_dir.empty() && cfg.insecure) {
    throw config_error("insecure", "cannot be true while certs_dir is set; choose one");
  }
  for (std::size_t i = 0; i < cfg.seeds.size(); ++i) {
    const std::string key = "seeds[" + std::to_string(i) + "]";
    check_address(key, cfg.seeds[i]);
    const auto first = std::find(cfg.seeds.begin(), cfg.seeds.end(), cfg.seeds[i]);
    if (first != cfg.seeds.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw config_error(key, "repeats " + cfg.seeds[i].to_string());
    }
  }
  if (!cfg.cluster_listen) {
    if (!cfg.seeds.empty()) {
      throw config_error("seeds", "need cluster_listen, so that peers can reach this node");
    }
    return;
  }
  check_address("cluster_listen", *cfg.cluster_listen);
  if (cfg.cluster_listen->port == cfg.listen.port && cfg.cluster_listen->host == cfg.listen.host) {
    throw config_error("cluster_listen",
                       "must differ from listen (" + cfg.listen.to_string() + ")");
  }
  if (cfg.certs_dir.empty() && !cfg.insecure) {
    throw config_error("certs_dir",
                       "required when cluster_listen is set; or set insecure (--insecure) to "
                       "run the cluster without TLS");
  }
}

}  // namespace

void validate(const node_config& cfg) {
  check_name("name", cfg.name);
  if (cfg.data_dir.empty()) {
    throw config_error("data_dir", "must not be empty");
  }
  check_address("listen", cfg.listen);
  check_cluster(cfg);
  check_one_of("log.level", cfg.log.level, log_levels);
  check_range("threads.scheduler", cfg.threads.scheduler, 0, max_threads);
  check_range("threads.io", cfg.threads.io, 0, max_threads);
  check_sizes(cfg.limits);
  check_limit_relations(cfg.limits);
  check_durations(cfg);
  check_one_of("auth.password_hash_cost", cfg.auth.password_hash_cost, hash_costs);
  validate_security(cfg);
  check_admins(cfg.auth.admins);
  check_range("auth.password_min_score", cfg.auth.password_min_score, 0, 100);
}

}  // namespace plexichat::config
