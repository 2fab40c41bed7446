#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/account_types.hpp"
#include "actors/message_types.hpp"
#include "storage/records.hpp"

/// The directory across the cluster (DESIGN.md "The cluster"). Every node holds every user's
/// public part (id, username, creation time: public_part) and every token revocation, so that
/// a user lookup or a token check works on any node. A user's secrets, the password hash and
/// the second factor, with the login sessions, are held by the user's R replicas only: the
/// first R nodes of the username's rendezvous placement over the live members, the first of
/// them the account's home. A registration is decided by the home, which sends the whole
/// record to the other replicas (W of the R confirm) and the public part to every other peer;
/// the home sends each change of the account to the replicas; revocations go from the node
/// that made them to every peer's directory. When a peer's directory appears in the cluster
/// view (a connect, a restart) each side sends the other the public parts and revocations it
/// has (directory_sync), and whenever the live members or the peers' directories change, each
/// directory hands every account it holds whole to that account's other replicas under the
/// new placement (handoff), and keeps only the public part of the accounts whose replicas it
/// is no longer among once every one of those replicas confirmed it holds them.
///
/// Messages between directories (all over the cluster link, types registered by
/// add_directory_types):
/// - (register_atom, username, password, origin node) -> user_record: a registration
///   forwarded to the username's home, decided there
/// - (userput_atom, std::vector<user_record>) -> bool: records to store if new or newer
///   (supersedes): the public part of a user, or the whole record for a replica
/// - (handoff_atom, std::vector<account_state>) -> bool: whole accounts for a replica; true
///   once it holds each as new as sent
/// - (revoked_atom, std::vector<token_revocation>) -> bool: tokens to refuse from now on
/// - (dirsync_atom, directory_sync): a peer's public parts, revocations and token key
/// - (acctput_atom, account_state) -> bool: a change of an account, from its home directory
/// - (acctget_atom, user id) -> account_state: this directory's copy of an account
/// - the account messages of account_types.hpp (login, second factor, sessions, password),
///   from a session on another node to the account's home directory
///
/// This header holds those types and the plain logic the directory actor runs on them.
namespace plexichat::actors::directory {

/// A revoked token id (JWT "jti") and the token's expiry in ms.
struct token_revocation {
  std::string token_id;
  int64_t expires_at = 0;

  friend bool operator==(const token_revocation&, const token_revocation&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_revocation& x) {
  return f(caf::meta::type_name("token_revocation"), x.token_id, x.expires_at);
}

/// What a node sends a peer's directory when it first sees it: its name, the public key its
/// tokens are signed with, the public part of every user it stores and every live revocation.
struct directory_sync {
  std::string node;
  std::string token_key;
  std::vector<storage::user_record> users;
  std::vector<token_revocation> revoked;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, directory_sync& x) {
  return f(caf::meta::type_name("directory_sync"), x.node, x.token_key, x.users, x.revoked);
}

/// A user's second factor and login sessions as one directory holds them (accounts have one
/// home: see account_directory in directory.hpp). The user's owner sends each change to the
/// peers' directories and answers once W nodes hold it (acctput); a directory that starts
/// serving a user since the live members last changed first gathers every peer's copy
/// (acctget) and keeps the newest.
struct account_state {
  account_state() = default;
  explicit account_state(std::string id) : user_id(std::move(id)) {}

  std::string user_id;
  std::vector<storage::mfa_record> mfa;           ///< none, or the second-factor record
  std::vector<storage::session_record> sessions;  ///< sessions to hold unless revoked
  std::vector<token_revocation> ended;            ///< sessions that ended: their tokens revoked
  std::vector<storage::user_record> user;         ///< none, or the user record (its password)

  friend bool operator==(const account_state&, const account_state&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_state& x) {
  return f(caf::meta::type_name("account_state"), x.user_id, x.mfa, x.sessions, x.ended, x.user);
}

/// Whether `incoming` is a newer record than `held` (a higher version; on a tie the one held
/// stays).
inline bool supersedes(const storage::mfa_record& incoming, const storage::mfa_record& held) {
  return incoming.version > held.version;
}

/// Whether the record holds the user's secret (the password hash): on the user's replicas.
inline bool holds_secret(const storage::user_record& u) {
  return !u.password_hash.empty();
}

/// The part of a user record every node holds: the record without its password hash.
inline storage::user_record public_part(storage::user_record u) {
  u.password_hash.clear();
  return u;
}

/// For user records of one id: a whole record supersedes a public part (whatever the
/// versions: a public part never replaces a secret), else the higher version wins.
inline bool supersedes(const storage::user_record& incoming, const storage::user_record& held) {
  if (incoming.id != held.id) {
    return false;
  }
  if (holds_secret(incoming) != holds_secret(held)) {
    return holds_secret(incoming);
  }
  return incoming.version > held.version;
}

/// One account state from several directories' copies: the newest user record and
/// second-factor record, every session (the later last use where copies differ) that did not end in
/// any copy, and every ended session once.
account_state merge_accounts(const std::string& user_id, const std::vector<account_state>& parts);

/// Registers the types above (and the user record) for the cluster link; call on the config
/// before the actor system starts.
void add_directory_types(caf::actor_system_config& cfg);

/// Which of `incoming` to store: `store` holds the records whose username is free, and the
/// records that supersede the one stored under their own name (`stored(username)` gives the
/// record stored under a name, if any). A record whose name is bound to its own id and that
/// does not supersede it is skipped as known; one whose name is bound to another id is a
/// conflict (the stored record stays); among records of `incoming` that share a name, the
/// earliest (created_at, id) is taken and the others are conflicts.
struct user_merge_plan {
  std::vector<storage::user_record> store;
  std::vector<storage::user_record> conflicts;
};

user_merge_plan plan_user_merge(
    std::vector<storage::user_record> incoming,
    const std::function<std::optional<storage::user_record>(const std::string&)>& stored);

/// What a directory does with the accounts it holds whole when the live members or the
/// peers' directories change: `send` has, by peer, the user ids to hand to that peer (it is
/// among the user's replicas and reachable); `release` has the ids of the users whose
/// replicas this node is not among, each with the peers that must confirm before it keeps
/// only the public part, when every one of them is reachable. `replicas(username)` is the
/// placement (owner first), `reachable` the peers' directories this node can reach.
struct handoff_plan {
  std::map<std::string, std::vector<std::string>> send;
  std::map<std::string, std::vector<std::string>> release;
};

handoff_plan plan_handoff(
    const std::vector<storage::user_record>& held, const std::string& self,
    const std::function<std::vector<std::string>(const std::string&)>& replicas,
    const std::set<std::string>& reachable);

/// The revocations of `incoming` still worth keeping at `now_ms` (not expired) and not
/// already known (`known(token_id)`), each once.
std::vector<token_revocation> new_revocations(const std::vector<token_revocation>& incoming,
                                              int64_t now_ms,
                                              const std::function<bool(const std::string&)>& known);

/// The peers' directories a node has sent its directory_sync to, by node name, each with an
/// identity of the directory actor it went to (so that a restarted peer, whose directory is
/// a new actor, is synced again). Owned by the directory actor.
class sync_tracker {
 public:
  /// Given the peers' directories in the current view (node -> identity), returns the nodes
  /// to sync now (new, or with another identity) and marks them synced; forgets the nodes
  /// that left the view, so that they are synced again when they come back.
  std::vector<std::string> due(const std::map<std::string, std::string>& directories);

 private:
  std::map<std::string, std::string> synced_;
};

}  // namespace plexichat::actors::directory
