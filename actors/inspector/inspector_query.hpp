#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>

/// What a console asks a node's inspector: (inspect_atom, inspector_query) -> std::string, a
/// JSON object: the answer, or {"error": "<one line>"} when the query cannot be answered
/// (an unknown actor or user, a bad log level). It crosses nodes, so it is registered with
/// add_inspector_types() on the node and on the console.
namespace plexichat::actors::inspector {

struct inspector_query {
  /// summary, members, actors, actor, sessions, channels, where, users, audit, audit_verify,
  /// grant, revoke, log_level, metrics, drain, backup, shards
  std::string what;
  std::string arg;     ///< actors: a kind or ""; actor: its id; grant/revoke: a username;
                       ///< log_level: the level; users: the id to list after; where: a
                       ///< channel id; drain: "on" or "off"; backup: create, list, verify,
                       ///< repair, restore or rotate-key
  uint64_t after = 0;  ///< audit: the seq to list after
  uint64_t limit = 0;  ///< audit, users: page size (0: the default)
  /// backup verify|repair: {id}; backup restore: {id, target directory, node backed up}
  /// ("" for the newest backup, and for this node)
  std::vector<std::string> args;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inspector_query& x) {
  return f(caf::meta::type_name("inspector_query"), x.what, x.arg, x.after, x.limit, x.args);
}

/// Registers the types consoles and inspectors exchange; call on the config before the actor
/// system starts (with add_cluster_types, which the console needs too).
inline void add_inspector_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<inspector_query>("plexichat::inspector_query");
}

}  // namespace plexichat::actors::inspector
