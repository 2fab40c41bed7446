#include "storage/group_commit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::storage {
namespace {

using namespace std::chrono_literals;

// A one-shot event a test thread can wait on with a deadline.
class event {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::seconds deadline = 60s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, deadline, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

message_record message(const std::string& channel, uint64_t seq) {
  return {"m" + std::to_string(seq), channel, seq, "u", "user", "body", 1, ""};
}

write_batch message_batch(const std::string& channel, uint64_t seq) {
  write_batch batch;
  batch.put_message(message(channel, seq));
  return batch;
}

std::unique_ptr<database> open_db(const std::string& path) {
  auto opened = database::open(database_options{path});
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Records every callback: which (thread, index) completed, in order, and with what status.
struct completions {
  std::mutex mutex;
  std::vector<std::vector<uint64_t>> per_thread;
  std::vector<status> failures;
  std::size_t count = 0;

  explicit completions(std::size_t threads) : per_thread(threads) {}

  group_commit::callback for_batch(std::size_t thread, uint64_t index) {
    return [this, thread, index](const status& st) {
      std::lock_guard lock(mutex);
      per_thread[thread].push_back(index);
      if (!st.ok()) {
        failures.push_back(st);
      }
      ++count;
    };
  }
};

TEST(group_commit, concurrent_submits_are_all_acknowledged_in_order_and_durable) {
  constexpr std::size_t threads = 8;
  constexpr uint64_t per_thread = 125;
  testing::temp_dir dir;
  completions done(threads);
  {
    auto db = open_db(dir.sub("db"));
    ASSERT_TRUE(db);
    group_commit writer(*db);
    std::vector<std::thread> submitters;
    for (std::size_t t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        for (uint64_t i = 0; i < per_thread; ++i) {
          writer.submit(message_batch("c" + std::to_string(t), i + 1), done.for_batch(t, i));
        }
      });
    }
    for (auto& submitter : submitters) {
      submitter.join();
    }
    writer.stop();
    auto stats = writer.get_stats();
    EXPECT_EQ(stats.batches, threads * per_thread);
    EXPECT_GE(stats.writes, 1u);
    EXPECT_LE(stats.writes, stats.batches);
    EXPECT_GE(stats.max_group, 1u);
    EXPECT_EQ(db->sync_count(), stats.writes);
  }
  EXPECT_EQ(done.count, threads * per_thread);
  EXPECT_TRUE(done.failures.empty());
  for (std::size_t t = 0; t < threads; ++t) {
    ASSERT_EQ(done.per_thread[t].size(), per_thread);
    for (uint64_t i = 0; i < per_thread; ++i) {
      EXPECT_EQ(done.per_thread[t][i], i) << "thread " << t;
    }
  }
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  for (std::size_t t = 0; t < threads; ++t) {
    auto channel = "c" + std::to_string(t);
    EXPECT_EQ(db->last_seq(channel), per_thread);
    EXPECT_EQ(db->read_messages(channel, 0, {}, 1000).messages.size(), per_thread);
  }
}

TEST(group_commit, batches_queued_while_the_writer_is_held_go_in_one_write) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  event release;
  bool held_once = false;
  group_commit writer(*db, [&] {
    if (!held_once) {
      held_once = true;
      EXPECT_TRUE(release.wait());
    }
  });
  completions done(1);
  constexpr uint64_t queued = 10;
  for (uint64_t i = 0; i < queued; ++i) {
    writer.submit(message_batch("c", i + 1), done.for_batch(0, i));
  }
  release.set();
  writer.stop();
  auto stats = writer.get_stats();
  EXPECT_EQ(stats.writes, 1u);
  EXPECT_EQ(stats.batches, queued);
  EXPECT_EQ(stats.max_group, queued);
  EXPECT_EQ(db->sync_count(), 1u);
  EXPECT_EQ(done.count, queued);
  EXPECT_TRUE(done.failures.empty());
  EXPECT_EQ(db->last_seq("c"), queued);
}

// Submits batch 1 of channel "c", whose callback holds the writer thread until release():
// batches submitted meanwhile queue for the next write. Must outlive that callback.
class writer_hold {
 public:
  explicit writer_hold(group_commit& writer) {
    writer.submit(message_batch("c", 1), [this](const status& st) {
      EXPECT_TRUE(st.ok()) << st.message;
      written_.set();
      EXPECT_TRUE(release_.wait());
    });
    EXPECT_TRUE(written_.wait());
  }
  void release() { release_.set(); }

 private:
  event written_;
  event release_;
};

TEST(group_commit, submits_during_a_write_are_grouped_into_the_next) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  group_commit writer(*db);
  // The first batch's callback keeps the writer busy while five more are submitted.
  writer_hold hold(writer);
  completions done(1);
  for (uint64_t i = 0; i < 5; ++i) {
    writer.submit(message_batch("c", i + 2), done.for_batch(0, i));
  }
  EXPECT_EQ(db->last_seq("c"), 1u);  // nothing of the second group is written yet
  hold.release();
  writer.stop();
  auto stats = writer.get_stats();
  EXPECT_EQ(stats.writes, 2u);
  EXPECT_EQ(stats.batches, 6u);
  EXPECT_EQ(stats.max_group, 5u);
  EXPECT_EQ(done.per_thread[0], (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(db->last_seq("c"), 6u);
}

// Writes the first batch and holds the writer in its callback until two more are queued, so
// that the second write holds two batches (steady load): the interval then applies. Returns
// when the second write is done; `released` is a time before it started.
void write_a_lone_batch_then_two(group_commit& writer,
                                 std::chrono::steady_clock::time_point& released) {
  writer_hold hold(writer);
  event second_written;
  writer.submit(message_batch("c", 2), nullptr);
  writer.submit(message_batch("c", 3), [&](const status& st) {
    EXPECT_TRUE(st.ok()) << st.message;
    second_written.set();
  });
  released = std::chrono::steady_clock::now();
  hold.release();
  ASSERT_TRUE(second_written.wait());
}

TEST(group_commit, under_steady_load_writes_start_the_interval_apart) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  const auto interval = 2s;
  group_commit writer(*db, {}, interval);
  std::chrono::steady_clock::time_point released;
  write_a_lone_batch_then_two(writer, released);
  // The first write held a lone batch, so the second did not wait the interval out.
  EXPECT_LT(std::chrono::steady_clock::now() - released, interval);
  EXPECT_EQ(writer.get_stats().writes, 2u);
  // The second held two: these wait until the interval after it started, in one write.
  completions done(1);
  for (uint64_t i = 0; i < 3; ++i) {
    writer.submit(message_batch("c", i + 4), done.for_batch(0, i));
  }
  EXPECT_EQ(db->last_seq("c"), 3u);
  event last_written;
  writer.submit(message_batch("c", 7), [&](const status& st) {
    EXPECT_TRUE(st.ok()) << st.message;
    EXPECT_GE(std::chrono::steady_clock::now() - released, interval);
    last_written.set();
  });
  ASSERT_TRUE(last_written.wait());
  writer.stop();
  auto stats = writer.get_stats();
  EXPECT_EQ(stats.writes, 3u);
  EXPECT_EQ(stats.batches, 7u);
  EXPECT_EQ(stats.max_group, 4u);
  EXPECT_EQ(done.per_thread[0], (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_TRUE(done.failures.empty());
  EXPECT_EQ(db->last_seq("c"), 7u);
}

TEST(group_commit, stop_writes_at_once_what_waits_out_the_interval) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  const auto interval = 100s;  // longer than the test may run
  const auto start = std::chrono::steady_clock::now();
  completions done(1);
  {
    group_commit writer(*db, {}, std::chrono::duration_cast<std::chrono::microseconds>(interval));
    std::chrono::steady_clock::time_point released;
    write_a_lone_batch_then_two(writer, released);
    for (uint64_t i = 0; i < 3; ++i) {
      writer.submit(message_batch("c", i + 4), done.for_batch(0, i));
    }
    writer.stop();
    EXPECT_EQ(writer.get_stats().writes, 3u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, interval);
  EXPECT_EQ(done.count, 3u);
  EXPECT_TRUE(done.failures.empty());
  EXPECT_EQ(db->last_seq("c"), 6u);
}

TEST(group_commit, stop_drains_everything_accepted_before_it) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  event release;
  group_commit writer(*db, [&] { EXPECT_TRUE(release.wait()); });
  completions done(1);
  uint64_t accepted = 0;
  for (; accepted < 50; ++accepted) {
    writer.submit(message_batch("c", accepted + 1), done.for_batch(0, accepted));
  }
  std::thread stopper([&] { writer.stop(); });
  // Submit until one is refused: then stop() has begun while everything accepted is still
  // queued behind the held writer.
  bool refused = false;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    auto index = accepted;
    writer.submit(message_batch("c", index + 1), [&, index](const status& st) {
      if (st.ok()) {
        done.for_batch(0, index)(st);
      } else {
        EXPECT_EQ(st.code, errc::io_error);
        refused = true;
      }
    });
    accepted += refused ? 0 : 1;
    std::this_thread::yield();
  }
  ASSERT_TRUE(refused);
  EXPECT_EQ(done.count, 0u);
  release.set();
  stopper.join();
  auto stats = writer.get_stats();
  EXPECT_EQ(stats.writes, 1u);
  EXPECT_EQ(stats.batches, accepted);
  EXPECT_EQ(done.count, accepted);
  EXPECT_TRUE(done.failures.empty());
  EXPECT_EQ(db->last_seq("c"), accepted);
}

TEST(group_commit, submit_after_stop_fails_at_once_and_writes_nothing) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  group_commit writer(*db);
  writer.stop();
  writer.stop();  // idempotent
  std::optional<status> outcome;
  writer.submit(message_batch("c", 1), [&](const status& st) { outcome = st; });
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->code, errc::io_error);
  EXPECT_FALSE(outcome->message.empty());
  writer.submit(message_batch("c", 2), nullptr);  // an empty callback is allowed
  EXPECT_EQ(writer.get_stats().writes, 0u);
  EXPECT_EQ(db->sync_count(), 0u);
  EXPECT_EQ(db->last_seq("c"), 0u);
}

TEST(group_commit, destructor_drains_and_empty_batches_are_acknowledged) {
  testing::temp_dir dir;
  auto db = open_db(dir.sub("db"));
  ASSERT_TRUE(db);
  completions done(1);
  std::optional<status> empty_outcome;
  {
    group_commit writer(*db);
    writer.submit(write_batch{}, [&](const status& st) { empty_outcome = st; });
    for (uint64_t i = 0; i < 20; ++i) {
      writer.submit(message_batch("c", i + 1), done.for_batch(0, i));
    }
  }
  ASSERT_TRUE(empty_outcome);
  EXPECT_TRUE(empty_outcome->ok());
  EXPECT_EQ(done.count, 20u);
  EXPECT_TRUE(done.failures.empty());
  EXPECT_EQ(db->last_seq("c"), 20u);
}

}  // namespace
}  // namespace plexichat::storage
