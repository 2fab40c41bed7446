#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/audit/audit_chain.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "runtime/actor_table.hpp"
#include "storage/records.hpp"

/// The inspector's answers as JSON, built from plain inputs (snapshots of the actor table,
/// the cluster view, records read from storage): what the console prints as tables or, with
/// --json, as is. No actor, no I/O: unit tests call these directly.
namespace plexichat::actors::inspector {

using nlohmann::json;

/// {"error": message}: the answer to a query that cannot be answered.
json error_answer(const std::string& message);

/// One actor: kind, id, name, mailbox, handled, age_ms, started_at (and note, parsed).
json actor_json(const runtime::actor_row& row, int64_t now_ms);

/// {"actors": [...]} of every row whose kind is `kind` (all when empty), in id order.
json actors_answer(const std::vector<runtime::actor_row>& rows, std::string_view kind,
                   int64_t now_ms);

/// {"actor": {...}} for the row with id `id_text`, or an error naming the id.
json actor_answer(const std::vector<runtime::actor_row>& rows, const std::string& id_text,
                  int64_t now_ms);

/// {"sessions": [...]}: each session actor with its user, address, since (ms), channels.
json sessions_answer(const std::vector<runtime::actor_row>& rows);

/// The node itself as a member when it has no cluster (a single node is always up).
cluster::member_info single_member(const std::string& name, const std::string& client_address);

/// {"self", "has_majority", "members": [{name, state, cluster_address, client_address}]}.
json members_answer(const cluster::cluster_view& view);

/// What a node summary is made of; counts read from storage and the actor table.
struct node_facts {
  std::string name;
  std::string cluster_address;
  std::string client_address;
  std::string state = "up";
  int64_t started_ms = 0;
  int64_t now_ms = 0;
  uint64_t users = 0;
  uint64_t channels = 0;
  uint64_t sessions = 0;
  uint64_t actors = 0;
  uint64_t connections = 0;
  std::optional<uint64_t> rss_kib;
};

/// {"node": {...}}: name, addresses, state, uptime_ms, counts, connections, rss_kib.
json summary_answer(const node_facts& facts);

/// What the channels answer lists of one channel.
struct channel_line {
  storage::channel_record record;
  uint64_t members = 0;
  uint64_t last_seq = 0;
};

/// {"channels": [...]}: id, name, private, members, last_seq, active (its actor runs).
json channels_answer(const std::vector<channel_line>& channels,
                     const std::vector<runtime::actor_row>& rows);

/// One audit record as GET /api/v1/admin/audit shows it.
json audit_record_json(const storage::audit_record& r);

/// {"ok", "records"[, "first_bad_seq", "reason"]}.
json verify_answer(const audit::verify_result& r);

/// The spdlog level named `name` (trace, debug, info, warn, error, critical, off), or none.
std::optional<int> parse_log_level(std::string_view name);

}  // namespace plexichat::actors::inspector
