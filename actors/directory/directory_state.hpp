#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/message_handler.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/account_types.hpp"
#include "actors/api_error.hpp"
#include "actors/directory/password_policy.hpp"
#include "actors/directory/session_book.hpp"
#include "actors/directory/user_index.hpp"
#include "actors/directory/user_replication.hpp"
#include "actors/durable_writes.hpp"
#include "actors/node_context.hpp"
#include "storage/write_batch.hpp"

// Internal to actors/directory/: the directory actor's state and the steps its handlers share.
// Everything here runs in the directory actor.
namespace plexichat::actors::directory {

/// When a handoff is tried again after a replica did not take its accounts: at first, and
/// at most (doubling in between).
inline constexpr std::chrono::seconds first_handoff_retry_after{5};
inline constexpr std::chrono::seconds max_handoff_retry_after{80};

struct directory_state {
  node_context* ctx = nullptr;
  user_index users;
  durable_writes writes;
  /// Second-factor records by user id, once read; a record with an empty secret means none.
  /// Authoritative once present, so two logins racing with one code see each other's step.
  std::unordered_map<std::string, storage::mfa_record> mfa;
  session_book sessions;
  /// The peers' directories this one has sent its directory_sync to.
  sync_tracker synced;
  /// The users whose account state this directory gathered from its peers (catch_up) since
  /// the live members were last `caught_up_members`.
  std::unordered_set<std::string> caught_up;
  std::vector<std::string> caught_up_members;
  /// The live members (draining ones marked) and the peers' directories (node -> identity)
  /// of the last handoff (user_replication.hpp); whether one is running, and whether another
  /// is due after it.
  std::vector<std::string> handoff_members;
  std::map<std::string, std::string> handoff_dirs;
  bool handoff_running = false;
  bool handoff_again = false;
  /// The last handoff did not reach every replica (or could not read the accounts): the
  /// next view change or retry hands off again, changed or not; the retry comes after
  /// `handoff_retry_after`, doubled at each failure in a row.
  bool handoff_retry = false;
  std::chrono::seconds handoff_retry_after = first_handoff_retry_after;
  /// Shared with blocking jobs, which may outlive a stopping actor.
  std::shared_ptr<const password_policy> policy;
  static inline const char* name = "directory";
};

using directory_actor = caf::stateful_actor<directory_state>;
using user_callback = std::function<void(std::optional<storage::user_record>)>;

caf::actor self_handle(directory_actor* self);

/// Finds a user from memory, else from storage on the blocking pool; `fail` when storage
/// could not be read.
void find_by_name(directory_actor* self, const std::string& username, user_callback then,
                  std::function<void(api_error)> fail);
void find_by_id(directory_actor* self, const std::string& id, user_callback then,
                std::function<void(api_error)> fail);

/// find_by_id once the user's account is caught up (catch_up): for checking the password
/// on the account's home. An empty answer when the user is unknown; `fail` when the catch-up
/// or the read failed (the answer is then "unavailable", never "no such user").
void find_current(directory_actor* self, const std::string& id, user_callback then,
                  std::function<void(api_error)> fail);

/// Answers `rp` with the error a step failed with.
template <class T>
auto fail_with(caf::typed_response_promise<T> rp) {
  return [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); };
}

/// Runs `then(record)` with the user's cached second-factor record, reading it first if
/// needed; `fail` if the read could not run. `then` must not keep the reference. The user's
/// account is caught up first (catch_up).
void with_mfa(directory_actor* self, const std::string& user_id,
              std::function<void(storage::mfa_record&)> then, std::function<void(api_error)> fail);

/// Runs `then()` once the user's stored sessions are in the session book, the account caught
/// up first (catch_up).
void with_sessions(directory_actor* self, const std::string& user_id, std::function<void()> then,
                   std::function<void(api_error)> fail);

/// with_mfa and with_sessions without the catch-up: for applying a peer's copy.
void load_mfa(directory_actor* self, const std::string& user_id,
              std::function<void(storage::mfa_record&)> then, std::function<void(api_error)> fail);
void load_sessions(directory_actor* self, const std::string& user_id, std::function<void()> then,
                   std::function<void(api_error)> fail);

/// Writes `batch` through the node's writer; `done(ok)` runs once it is durable or failed.
void commit(directory_actor* self, storage::write_batch batch, std::function<void(bool)> done);

/// Adds to `batch` the revocation of each of the user's live sessions but `keep_id`, removes
/// them from the book, and returns (token id, expires_at ms) for the revocation list.
std::vector<std::pair<std::string, int64_t>> revoke_others(directory_state& st,
                                                           const std::string& user_id,
                                                           const std::string& keep_id,
                                                           storage::write_batch& batch);

// The handlers of directory.hpp's account messages (mfa_handlers.cpp, account_handlers.cpp).
caf::result<totp_enrolment> do_enroll(directory_actor* self, std::string user_id,
                                      std::string username);
caf::result<std::vector<std::string>> do_confirm(directory_actor* self, std::string user_id,
                                                 std::string code);
caf::result<bool> do_disable(directory_actor* self, std::string user_id, std::string password,
                             std::string code);
caf::result<mfa_status> do_mfa_status(directory_actor* self, std::string user_id);
caf::result<std::vector<storage::session_record>> do_list_sessions(directory_actor* self,
                                                                   std::string user_id);
caf::result<bool> do_revoke_session(directory_actor* self, std::string user_id,
                                    std::string session_id);
caf::result<bool> do_revoke_sessions(directory_actor* self, std::string user_id,
                                     std::string keep_id);
void do_touch(directory_actor* self, std::string user_id, std::string session_id);
caf::result<bool> do_change_password(directory_actor* self, password_change change);

// The cluster side (replication_handlers.cpp); all do nothing without a cluster.

/// The handlers of the messages between directories (user_replication.hpp): users and
/// revocations (replication_handlers.cpp), and accounts (account_replication.cpp), which
/// replication_handlers includes.
caf::message_handler replication_handlers(directory_actor* self);
caf::message_handler account_replication_handlers(directory_actor* self);

/// Where a registration of `username` is decided: nullopt when here (no cluster, or this
/// node owns the name); the owner's directory otherwise, or an error (no majority, owner
/// not reachable).
std::optional<caf::expected<caf::actor>> registration_owner(directory_actor* self,
                                                            const std::string& username);

/// Sends a user just registered here to every peer's directory, whole to the user's other
/// replicas and its public part to the rest; `done(ok)` once each answered or timed out, ok
/// when W of the replicas hold it (a replica that missed it gets it at the next handoff, any
/// other peer on its next directory_sync).
void replicate_user(directory_actor* self, const storage::user_record& user,
                    std::function<void(bool)> done);

/// Stores the records of `incoming` this node lacks (user_merge_plan); `done(ok)` after.
void merge_users(directory_actor* self, std::vector<storage::user_record> incoming,
                 std::function<void(bool)> done);

// Accounts across the cluster (account_replication.cpp); without a cluster, catch_up runs
// `then` at once and commit_account is commit.

/// The directories of the peers in `view` that are connected and not marked down, by node
/// name.
std::map<std::string, caf::actor> peer_directories(const cluster::cluster_view& view);

/// Runs `then()` once this directory holds the newest copy of the user's account the live
/// peers have: the first time it serves the user since the live members changed, it asks
/// every live peer's directory for its copy (acctget) and applies what is newer. A peer
/// that does not answer is skipped, and the user is gathered again on its next message.
void catch_up(directory_actor* self, const std::string& user_id, std::function<void()> then,
              std::function<void(api_error)> fail);

/// Stores what `change` holds that this directory lacks: a newer user record (of a user
/// known here) or second-factor record, sessions it does not hold (unless revoked or
/// expired), ended sessions (their tokens revoked). `done(ok)` once durable.
void apply_account(directory_actor* self, account_state change, std::function<void(bool)> done);

/// Writes `batch`, which holds `change`, runs `stored()` once it is durable here, then sends
/// `change` to the directories of the account's other replicas (and the sessions it ended to
/// every other peer's, as revocations); `done(ok)` once W of the replicas (this one
/// included) hold it, or false when the write failed or too few peers confirmed.
void commit_account(directory_actor* self, storage::write_batch batch, account_state change,
                    std::function<void()> stored, std::function<void(bool)> done);

/// What a write that commit_account could not confirm answers.
caf::error unconfirmed_account_write();

/// Sends revocations made here to every peer's directory (fire and forget: a peer that
/// misses them gets them on its next directory_sync).
void broadcast_revocations(directory_actor* self, std::vector<token_revocation> revoked);

}  // namespace plexichat::actors::directory
