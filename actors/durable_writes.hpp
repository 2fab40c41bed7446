#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

#include <caf/actor.hpp>

#include "storage/database.hpp"
#include "storage/group_commit.hpp"

namespace plexichat::actors {

/// An actor's writes in flight to the node's single writer (storage::group_commit). The
/// writer thread answers each write with `(committed_atom, id, ok)` to the actor, which passes
/// it to on_committed(); the continuation then runs in the actor, after the WAL sync. Writes
/// complete in submission order. Owned by one actor's state; not thread-safe.
class durable_writes {
 public:
  using continuation = std::function<void(bool ok)>;

  /// Queues `batch`; `done` runs when it is durable (ok) or failed.
  void submit(const caf::actor& self, storage::group_commit& writer, storage::write_batch batch,
              continuation done);

  /// Runs the continuation of write `id`; unknown ids are ignored.
  void on_committed(uint64_t id, bool ok);

  /// Runs every pending continuation with ok = false, in submission order (the actor is
  /// about to stop and their answers would be lost).
  void fail_all();

  std::size_t in_flight() const { return pending_.size(); }

 private:
  uint64_t next_id_ = 1;
  std::map<uint64_t, continuation> pending_;
};

}  // namespace plexichat::actors
