#include "storage/group_commit.hpp"

#include <algorithm>

namespace plexichat::storage {

group_commit::group_commit(database& db, write_observer observer,
                           std::chrono::microseconds interval)
    : group_commit(db, std::function<void()>{}, std::move(observer), interval) {}

group_commit::group_commit(database& db, std::function<void()> before_write)
    : group_commit(db, std::move(before_write), write_observer{}, {}) {}

group_commit::group_commit(database& db, std::function<void()> before_write,
                           write_observer observer, std::chrono::microseconds interval)
    : db_(db),
      before_write_(std::move(before_write)),
      observer_(std::move(observer)),
      interval_(interval) {
  // Started last, once every member it reads is initialised.
  writer_ = std::thread([this] { run(); });
}

group_commit::~group_commit() {
  stop();
}

void group_commit::submit(write_batch batch, callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(pending{std::move(batch), std::move(done)});
      if (!waiting_out_) {  // the writer looks at the queue when the interval is over
        work_ready_.notify_one();
      }
      return;
    }
  }
  if (done) {
    done(status{errc::io_error, "storage writer is stopped: write refused"});
  }
}

void group_commit::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  std::lock_guard join_lock(join_mutex_);
  if (writer_.joinable()) {
    writer_.join();
  }
}

group_commit::stats group_commit::get_stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void group_commit::run() {
  std::vector<pending> group;
  while (next_group(group)) {
    write_group(group);
    group.clear();
  }
}

// Waits for work and, when the last write held more than one batch, for the interval since
// it started to pass (unless stopping); then takes all the work. False once stopping with
// nothing left to write.
bool group_commit::next_group(std::vector<pending>& group) {
  std::unique_lock lock(mutex_);
  work_ready_.wait(lock, [this] { return !queue_.empty() || stopping_; });
  if (queue_.empty()) {
    return false;
  }
  if (interval_.count() > 0 && last_group_ > 1 && !stopping_) {
    const auto due = last_start_ + interval_;
    if (std::chrono::steady_clock::now() < due) {
      waiting_out_ = true;
      work_ready_.wait_until(lock, due, [this] { return stopping_; });
      waiting_out_ = false;
    }
  }
  if (before_write_) {
    lock.unlock();
    before_write_();
    lock.lock();
  }
  group.swap(queue_);
  return true;
}

void group_commit::write_group(std::vector<pending>& group) {
  std::vector<write_batch*> batches;
  batches.reserve(group.size());
  for (auto& item : group) {
    batches.push_back(&item.batch);
  }
  auto start = std::chrono::steady_clock::now();
  last_start_ = start;
  last_group_ = group.size();
  const status outcome = db_.write(batches, true);
  if (observer_) {
    observer_(group.size(), std::chrono::steady_clock::now() - start);
  }
  {
    std::lock_guard lock(mutex_);
    stats_.batches += group.size();
    stats_.writes += 1;
    stats_.max_group = std::max<uint64_t>(stats_.max_group, group.size());
  }
  for (auto& item : group) {
    if (item.done) {
      item.done(outcome);
    }
  }
}

}  // namespace plexichat::storage
