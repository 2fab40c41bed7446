#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>

/// The node's long-lived actors, for the console and /metrics (CAF 0.17 here has no actor
/// profiler). Each actor adds itself when it starts and is removed when it stops; while it
/// runs, it counts the messages it handles and records its own mailbox depth.
namespace plexichat::runtime {

/// One running actor. The counters are written by the actor's own thread (relaxed atomics:
/// cheap on the hot path) and read by anyone. What an actor serves (a session's user and
/// channels) is not kept here: the inspector asks the actor itself, through its address, when
/// the console wants it. Every session has an entry, so it is kept small: 96 bytes with its
/// shared_ptr's control block.
class actor_entry {
 public:
  /// `kind` is a string literal (one of tracked_kinds(), or another actor kind's name).
  actor_entry(const char* kind, std::string name, uint64_t id, int64_t started_ms,
              caf::actor_addr address = {})
      : kind_(kind),
        name_(std::move(name)),
        id_(id),
        started_ms_(started_ms),
        address_(std::move(address)) {}

  /// Called by the actor for each message it handles; `mailbox_depth` is what waits behind it.
  void on_message(std::size_t mailbox_depth) {
    handled_.fetch_add(1, std::memory_order_relaxed);
    mailbox_.store(mailbox_depth, std::memory_order_relaxed);
  }

  const char* kind() const { return kind_; }
  const std::string& name() const { return name_; }
  uint64_t id() const { return id_; }
  int64_t started_ms() const { return started_ms_; }
  uint64_t handled() const { return handled_.load(std::memory_order_relaxed); }
  std::size_t mailbox() const { return mailbox_.load(std::memory_order_relaxed); }
  /// The actor, weakly: it does not keep the actor alive.
  const caf::actor_addr& address() const { return address_; }

 private:
  const char* const kind_;
  const std::string name_;
  const uint64_t id_;
  const int64_t started_ms_;
  std::atomic<uint64_t> handled_{0};
  std::atomic<std::size_t> mailbox_{0};
  const caf::actor_addr address_;
};
static_assert(sizeof(actor_entry) <= 80, "with make_shared's 16 bytes, past jemalloc's 96 class");

/// A copy of one entry at one moment.
struct actor_row {
  std::string kind;
  std::string name;
  uint64_t id = 0;
  int64_t started_ms = 0;
  uint64_t handled = 0;
  std::size_t mailbox = 0;
  caf::actor_addr address;
  /// What the actor serves, a JSON object's text, when the inspector asked it; else empty.
  std::string note;
};

/// Per kind: how many actors run and how many messages wait in their mailboxes.
struct kind_totals {
  std::size_t actors = 0;
  std::size_t mailbox = 0;
};

/// Thread-safe: actors add and remove themselves from their own threads; the inspector and
/// the metrics renderer take snapshots.
class actor_table {
 public:
  /// Registers an actor; the entry stays valid for its holder after remove().
  std::shared_ptr<actor_entry> add(const char* kind, std::string name, uint64_t id,
                                   int64_t started_ms, caf::actor_addr address = {});
  void remove(uint64_t id);

  /// Every entry, ordered by id (start order).
  std::vector<actor_row> snapshot() const;
  /// One entry by id, if running.
  std::shared_ptr<const actor_entry> find(uint64_t id) const;
  /// Totals by kind, with every kind in `always` present (0 when none runs).
  std::map<std::string, kind_totals> totals(const std::vector<std::string>& always = {}) const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  /// Hashed, not ordered: a node holds one node per session, and a hash node is 24 bytes
  /// smaller than a tree's. snapshot() sorts.
  std::unordered_map<uint64_t, std::shared_ptr<actor_entry>> entries_;
};

/// The long-lived actor kinds that register (the names /metrics and the console show).
inline const std::vector<std::string>& tracked_kinds() {
  static const std::vector<std::string> kinds{"access",           "audit",   "channel",
                                              "channel_registry", "cluster", "directory",
                                              "inspector",        "session"};
  return kinds;
}

}  // namespace plexichat::runtime
