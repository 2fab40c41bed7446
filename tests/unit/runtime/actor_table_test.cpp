#include "runtime/actor_table.hpp"

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/process_status.hpp"

namespace plexichat::runtime {
namespace {

TEST(actor_table, adds_counts_and_removes_actors) {
  actor_table table;
  auto a = table.add("channel", "c1", 7, 1000);
  table.add("session", "s1", 3, 2000);
  a->on_message(4);
  a->on_message(2);
  auto rows = table.snapshot();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, 3u);  // id order
  EXPECT_TRUE(rows[0].note.empty()) << "a note is the inspector's to ask for";
  EXPECT_FALSE(rows[0].address) << "added without an address";
  EXPECT_EQ(rows[1].kind, "channel");
  EXPECT_EQ(rows[1].handled, 2u);
  EXPECT_EQ(rows[1].mailbox, 2u);  // the latest depth, not a sum
  table.remove(7);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(7), nullptr);
  ASSERT_NE(table.find(3), nullptr);
  EXPECT_EQ(a->handled(), 2u);  // the holder's entry outlives its removal
}

TEST(actor_table, snapshots_are_in_id_order_whatever_the_order_of_adding) {
  actor_table table;
  for (uint64_t i = 0; i < 500; ++i) {
    auto id = (i * 7919) % 500 + 1;  // 1..500, each once, out of order
    table.add("session", "s" + std::to_string(id), id, 0);
  }
  table.remove(250);
  auto rows = table.snapshot();
  ASSERT_EQ(rows.size(), 499u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_LT(rows[i - 1].id, rows[i].id) << i;
  }
  EXPECT_EQ(rows.front().id, 1u);
  EXPECT_EQ(rows.back().id, 500u);
  EXPECT_EQ(rows[248].id, 249u);
  EXPECT_EQ(rows[249].id, 251u) << "the removed one is gone";
}

TEST(actor_table, totals_by_kind_include_the_kinds_asked_for) {
  actor_table table;
  table.add("session", "s1", 1, 0)->on_message(5);
  table.add("session", "s2", 2, 0)->on_message(1);
  auto totals = table.totals({"channel", "session"});
  EXPECT_EQ(totals["session"].actors, 2u);
  EXPECT_EQ(totals["session"].mailbox, 6u);
  ASSERT_EQ(totals.count("channel"), 1u);
  EXPECT_EQ(totals["channel"].actors, 0u);
}

TEST(actor_table, counts_from_many_threads_while_snapshots_are_taken) {
  actor_table table;
  auto e = table.add("channel", "c", 1, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        e->on_message(static_cast<std::size_t>(i));
      }
    });
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(table.snapshot().size(), 1u);
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(e->handled(), 40000u);
}

TEST(process_status, reads_the_resident_set_size) {
  EXPECT_EQ(rss_kib_from_status("Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads: 3\n"),
            12345u);
  EXPECT_FALSE(rss_kib_from_status("Name:\tx\n").has_value());
  EXPECT_FALSE(rss_kib_from_status("VmRSS:\t abc kB\n").has_value());
  EXPECT_FALSE(rss_kib_from_status("VmRSS:\t 12 MB\n").has_value());
  auto own = own_rss_kib();
  ASSERT_TRUE(own.has_value());
  EXPECT_GT(*own, 0u);
}

}  // namespace
}  // namespace plexichat::runtime
