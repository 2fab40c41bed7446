#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/errc.hpp"
#include "storage/write_batch.hpp"

namespace plexichat::storage {

/// The node's single writer (DESIGN.md "Durable writes"): it owns RocksDB's write path on
/// one thread of its own, writes everything queued since its last write as ONE synced write,
/// then acknowledges each batch. Submitters never wait for I/O, so they go on accepting while
/// a write is in flight.
///
/// With an `interval`, while batches come faster than one a write (the last write held more
/// than one), two synced writes start at least that far apart: what is queued sooner waits
/// and goes into the next write. A write after one that held a single batch, or after a
/// quiet spell, starts at once, so a lone sender's ack never waits. A sync costs far more
/// than the messages in it (about 90 us of CPU each on the machine of
/// tools/plexichat-bench/README.md, three waits for the disk, against a few us a message),
/// and a channel fans out what each write committed in one go, so under steady load the
/// interval trades up to that long of ack and delivery latency for fewer syncs and fewer,
/// fuller socket writes.
class group_commit {
 public:
  /// Called with the outcome of the synced write that held the batch. Runs on the writer
  /// thread (or on the submitter's thread for a refused submit); must not throw, must not
  /// call stop(), and should be quick: the next group waits for it.
  using callback = std::function<void(const status&)>;

  struct stats {
    uint64_t batches = 0;    ///< batches written (successfully or not)
    uint64_t writes = 0;     ///< synced RocksDB writes issued (each one group)
    uint64_t max_group = 0;  ///< the most batches one write held
  };

  /// Observes each synced write on the writer thread: how many batches it held and how long
  /// the write took (metrics). Must be quick and must not throw.
  using write_observer = std::function<void(std::size_t batches, std::chrono::nanoseconds)>;

  /// Starts the writer thread. `db` must outlive this object. `interval` (the setting
  /// `storage.sync_interval`): under steady load, the least time between the starts of two
  /// synced writes.
  explicit group_commit(database& db, write_observer observer = {},
                        std::chrono::microseconds interval = {});
  /// Test hook: `before_write` runs on the writer thread each time it finds work queued, just
  /// before it takes the queue, so a test can hold it until N batches are queued.
  group_commit(database& db, std::function<void()> before_write);
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;
  /// Calls stop().
  ~group_commit();

  /// Queues `batch`; `done` (may be empty) is called once, in submission order, after the
  /// synced write that holds it. Thread-safe; never blocks on I/O. After stop() has begun,
  /// `done` is called at once on this thread with errc::io_error and nothing is written.
  void submit(write_batch batch, callback done);

  /// Refuses further submits, writes every batch already queued (no accepted batch is
  /// dropped), then joins the writer thread. Idempotent and thread-safe; not from a callback.
  void stop();

  /// Thread-safe.
  stats get_stats() const;

 private:
  group_commit(database& db, std::function<void()> before_write, write_observer observer,
               std::chrono::microseconds interval);

  struct pending {
    write_batch batch;
    callback done;
  };

  void run();
  bool next_group(std::vector<pending>& group);
  void write_group(std::vector<pending>& group);

  database& db_;
  std::function<void()> before_write_;
  write_observer observer_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::vector<pending> queue_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  bool waiting_out_ = false;    // guarded by mutex_: the writer waits out the interval
  stats stats_;                 // guarded by mutex_
  const std::chrono::microseconds interval_;
  std::chrono::steady_clock::time_point last_start_{};  // writer thread only
  std::size_t last_group_ = 0;                          // writer thread only
  std::mutex join_mutex_;
  std::thread writer_;
};

}  // namespace plexichat::storage
