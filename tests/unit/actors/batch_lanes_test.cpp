#include "actors/channel/batch_lanes.hpp"

#include <string>

#include <gtest/gtest.h>

namespace plexichat::actors::channel {
namespace {

using lanes = batch_lanes<std::string, int>;

TEST(batch_lanes, an_item_on_an_idle_lane_goes_out_at_once) {
  lanes l{2, 10};
  EXPECT_EQ(l.push("n2", 1), std::vector<int>{1});
  EXPECT_EQ(l.in_flight("n2"), 1U);
  EXPECT_EQ(l.push("n3", 2), std::vector<int>{2}) << "lanes do not wait for each other";
}

TEST(batch_lanes, items_wait_for_room_and_then_go_out_together_in_order) {
  lanes l{2, 10};
  EXPECT_EQ(l.push("n2", 1), std::vector<int>{1});
  EXPECT_EQ(l.push("n2", 2), std::vector<int>{2});
  EXPECT_TRUE(l.push("n2", 3).empty()) << "two batches in flight: the window is full";
  EXPECT_TRUE(l.push("n2", 4).empty());
  EXPECT_EQ(l.queued("n2"), 2U);
  EXPECT_EQ(l.settled("n2"), (std::vector<int>{3, 4}));
  EXPECT_EQ(l.in_flight("n2"), 2U);
  EXPECT_TRUE(l.settled("n2").empty()) << "nothing waits";
  EXPECT_EQ(l.in_flight("n2"), 1U);
}

TEST(batch_lanes, a_batch_holds_at_most_max_batch_items) {
  lanes l{1, 3};
  l.push("n2", 0);
  for (int i = 1; i <= 7; ++i) {
    EXPECT_TRUE(l.push("n2", i).empty());
  }
  EXPECT_EQ(l.settled("n2"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(l.settled("n2"), (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(l.settled("n2"), std::vector<int>{7});
  EXPECT_TRUE(l.settled("n2").empty());
}

TEST(batch_lanes, draining_takes_what_waits_and_keeps_the_batches_in_flight) {
  lanes l{1, 3};
  l.push("n2", 1);
  l.push("n2", 2);
  l.push("n2", 3);
  EXPECT_EQ(l.drain("n2"), (std::vector<int>{2, 3}));
  EXPECT_EQ(l.queued("n2"), 0U);
  EXPECT_EQ(l.in_flight("n2"), 1U);
  EXPECT_TRUE(l.settled("n2").empty());
  EXPECT_TRUE(l.drain("n2").empty());
  EXPECT_EQ(l.lanes(), 0U);
}

TEST(batch_lanes, an_idle_lane_is_forgotten_and_stray_settles_change_nothing) {
  lanes l{1, 3};
  l.push("n2", 1);
  EXPECT_EQ(l.lanes(), 1U);
  EXPECT_TRUE(l.settled("n2").empty());
  EXPECT_EQ(l.lanes(), 0U);
  EXPECT_TRUE(l.settled("n2").empty()) << "no batch in flight";
  EXPECT_TRUE(l.settled("n9").empty()) << "unknown lane";
  EXPECT_EQ(l.in_flight("n2"), 0U);
  EXPECT_EQ(l.push("n2", 2), std::vector<int>{2});
}

}  // namespace
}  // namespace plexichat::actors::channel
