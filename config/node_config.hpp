#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/host_port.hpp"
#include "config/security_config.hpp"

namespace plexichat::config {

/// Request, frame and content limits that net/ and the actors enforce. YAML section `limits`.
struct limits_config {
  std::size_t max_body_bytes = 1 << 20;                ///< HTTP request body
  std::size_t max_header_bytes = 16 * 1024;            ///< HTTP request header block
  std::size_t max_frame_bytes = 64 * 1024;             ///< one WebSocket frame/message
  unsigned max_json_depth = 32;                        ///< nesting of arrays and objects
  std::chrono::milliseconds auth_timeout{10000};       ///< WebSocket pre-auth time
  std::chrono::milliseconds http_idle_timeout{60000};  ///< idle keep-alive connection
  std::chrono::milliseconds ws_idle_timeout{60000};    ///< silent WebSocket: pinged at half
  std::size_t outbound_queue_frames = 4096;            ///< per session, then close 4009
  std::size_t max_connections = 20000;                 ///< client connections, HTTP and WebSocket
  std::size_t max_message_chars = 4000;                ///< Unicode code points
  std::size_t max_channel_name_chars = 64;             ///< Unicode code points
  std::size_t max_topic_chars = 1024;                  ///< Unicode code points
  std::size_t min_password_chars = 8;                  ///< Unicode code points
  std::size_t max_password_bytes = 1024;               ///< UTF-8 bytes
  unsigned history_max_limit = 200;                    ///< largest `limit` of a history request
  unsigned history_default_limit = 50;                 ///< `limit` when a request gives none

  bool operator==(const limits_config&) const = default;
};

/// Sessions and password hashing. YAML section `auth`.
struct auth_config {
  std::chrono::seconds token_ttl{7 * 24 * 3600};
  /// One of interactive, moderate, sensitive (libsodium's levels), or min: the cheapest
  /// setting, for tests only; whoever starts a node with it should log a warning.
  std::string password_hash_cost = "interactive";
  /// Usernames that are node admins: granted when the node starts (if registered) and when
  /// such a user registers. Lowercase usernames (3-32 of a-z 0-9 _ . -). Removing a name
  /// does not revoke a role already granted (use `plexichat-node admin revoke`).
  std::vector<std::string> admins;
  /// Lowest libpwquality score (0..100) a new password needs at register and password change.
  unsigned password_min_score = 30;

  bool operator==(const auth_config&) const = default;
};

/// Channel entities. YAML section `channels`.
/// Membership timings of a cluster node (actors/cluster/membership.hpp).
struct cluster_timing_config {
  /// How often a node sends its view to every peer.
  std::chrono::milliseconds heartbeat_interval{500};
  /// Silence after which this node shows a peer as suspect.
  std::chrono::milliseconds suspect_after{2000};
  /// Silence after which a node that reaches a majority marks a peer down.
  std::chrono::milliseconds down_after{6000};
  /// How many nodes hold each channel's log (R), the owner included.
  std::size_t replication_factor = 3;
  /// How many of them must hold a write before it is acknowledged (W).
  std::size_t write_quorum = 2;

  bool operator==(const cluster_timing_config&) const = default;
};

struct channel_config {
  /// A channel actor with no subscribers stops after this long.
  std::chrono::milliseconds idle_stop{300000};
  /// How long a send's nonce is remembered for idempotency.
  std::chrono::seconds nonce_ttl{24 * 3600};
  /// Longest a busy channel of many subscribers holds a live message back, so that the
  /// messages of that time share each connection's write; 0 never holds one back.
  std::chrono::milliseconds fan_out_max_hold{20};
  /// Into how many turns, spread over that hold, a busy channel of many subscribers splits
  /// its fan-outs (each turn writes to a part of the subscribers); 1 writes to all at once.
  unsigned fan_out_turns = 8;

  bool operator==(const channel_config&) const = default;
};

/// The node's durable writes. YAML section `storage`.
struct storage_config {
  /// Under steady load (the last synced write held more than one batch), the least time
  /// between the starts of two synced writes (storage::group_commit): what is queued sooner
  /// waits for the next one. 0 writes as soon as anything is queued.
  std::chrono::milliseconds sync_interval{5};

  bool operator==(const storage_config&) const = default;
};

/// Thread pool sizes. YAML section `threads`. 0 means one per core the process may run on.
struct thread_config {
  unsigned scheduler = 0;  ///< CAF scheduler threads
  unsigned io = 0;         ///< Boost.Asio I/O threads

  /// `scheduler`, or the number of cores (at least 1) when it is 0.
  unsigned effective_scheduler() const;
  /// `io`, or the number of cores (at least 1) when it is 0.
  unsigned effective_io() const;

  bool operator==(const thread_config&) const = default;
};

/// Logging. YAML section `log`.
struct log_config {
  /// One of trace, debug, info, warn, error, critical, off.
  std::string level = "info";

  bool operator==(const log_config&) const = default;
};

/// Backups of the node's data, sharded across its peers (DESIGN.md "Backups").
struct backup_config {
  unsigned data_shards = 2;                   ///< k: any k shards of a chunk rebuild it
  unsigned parity_shards = 2;                 ///< m: up to m holders may be lost
  std::chrono::seconds interval{0};           ///< a backup every interval; 0 = on request only
  std::size_t retention = 7;                  ///< backups kept; older ones are deleted
  std::chrono::seconds scrub_interval{3600};  ///< how often a holder checks its shards
  /// How often the coordinator verifies every backup and repairs what is missing or corrupt
  /// on the holders; 0 = only when a holder is lost or an operator asks.
  std::chrono::seconds check_interval{3600};

  bool operator==(const backup_config&) const = default;
};

/// Everything a node is started with. Built once at start-up (parse_command_line) and then
/// only read, so any thread may read it.
struct node_config {
  std::string name = "plexichat";           ///< node name, unique in a cluster
  std::string data_dir = "./data";          ///< RocksDB and stored files
  host_port listen{"127.0.0.1", 8080};      ///< client HTTP/WebSocket listener
  std::optional<host_port> cluster_listen;  ///< peer and console listener; none = no cluster
  std::vector<host_port> seeds;             ///< nodes to join through
  std::string certs_dir;                    ///< ca.crt, node.crt, node.key; empty = none
  bool insecure = false;                    ///< cluster traffic without TLS, said out loud
  cluster_timing_config cluster;            ///< heartbeats and the failure detector
  log_config log;
  thread_config threads;
  limits_config limits;
  auth_config auth;
  channel_config channels;
  storage_config storage;
  backup_config backup;
  tls_config tls;
  net_access_config net;
  rate_limits_config rate_limits;
  login_throttle_config login_throttle;

  bool operator==(const node_config&) const = default;
};

/// Parses YAML text laid out like node_config (see config/node.yaml). Keys left out keep
/// their defaults; an unknown or repeated key is an error, so a typo never passes
/// silently. Checks types and the syntax of durations, sizes and addresses, not ranges:
/// call validate() for those. Throws config_error naming the dotted key and its line.
node_config parse_yaml(std::string_view text);

/// Reads and parses the YAML file at `path` (see parse_yaml). Throws config_error whose
/// source() and message name the file, also when it cannot be read.
node_config load_yaml_file(const std::string& path);

/// Checks every range and the relations between values (history_default_limit <=
/// history_max_limit, no port 0, certs_dir or insecure but not both, ...). Throws
/// config_error naming the first bad key and why, e.g.
/// "config: limits.max_body_bytes: must be between 1024 and 67108864, got 12".
/// Sizes and counts appear as plain numbers, durations with units ("got 5ms").
void validate(const node_config& cfg);

}  // namespace plexichat::config
