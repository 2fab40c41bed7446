#include "net/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace plexichat::net {
namespace {

using actors::wire::frame;

frame text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

/// Pops every frame and returns their texts joined by ','.
std::string drain(outbound_queue& q) {
  std::string out;
  while (!q.empty()) {
    out += (out.empty() ? "" : ",") + *q.front();
    q.pop();
  }
  return out;
}

TEST(OutboundQueue, StartsEmpty) {
  outbound_queue q{3};
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0U);
}

TEST(OutboundQueue, PushesUpToTheLimitAndRefusesBeyond) {
  outbound_queue q{3};
  EXPECT_TRUE(q.push(text("a")));
  EXPECT_TRUE(q.push(text("b")));
  EXPECT_TRUE(q.push(text("c")));
  EXPECT_EQ(q.size(), 3U);
  EXPECT_FALSE(q.push(text("d")));
  EXPECT_FALSE(q.push(text("e")));
  EXPECT_EQ(q.size(), 3U);
  // The refused frames were not queued.
  EXPECT_EQ(drain(q), "a,b,c");
}

TEST(OutboundQueue, PopsInPushOrder) {
  outbound_queue q{10};
  for (const char* s : {"1", "2", "3", "4"}) {
    ASSERT_TRUE(q.push(text(s)));
  }
  EXPECT_EQ(*q.front(), "1");
  q.pop();
  EXPECT_EQ(*q.front(), "2");
  EXPECT_EQ(q.size(), 3U);
  EXPECT_EQ(drain(q), "2,3,4");
  EXPECT_TRUE(q.empty());
}

TEST(OutboundQueue, PopFreesRoomForMore) {
  outbound_queue q{2};
  ASSERT_TRUE(q.push(text("a")));
  ASSERT_TRUE(q.push(text("b")));
  ASSERT_FALSE(q.push(text("c")));
  q.pop();
  EXPECT_TRUE(q.push(text("d")));
  EXPECT_FALSE(q.push(text("e")));
  EXPECT_EQ(drain(q), "b,d");
}

TEST(OutboundQueue, ZeroLimitRefusesEverything) {
  outbound_queue q{0};
  EXPECT_FALSE(q.push(text("a")));
  EXPECT_TRUE(q.empty());
}

TEST(OutboundQueue, SharesFramesWithoutCopying) {
  outbound_queue q{2};
  auto f = text("shared");
  ASSERT_TRUE(q.push(f));
  EXPECT_EQ(q.front().get(), f.get());
  EXPECT_EQ(f.use_count(), 2);
  q.pop();
  EXPECT_EQ(f.use_count(), 1);
}

TEST(OutboundQueue, ClearKeepingFrontKeepsOnlyTheInFlightFrame) {
  outbound_queue q{5};
  for (const char* s : {"in-flight", "b", "c", "d"}) {
    ASSERT_TRUE(q.push(text(s)));
  }
  q.clear(true);
  ASSERT_EQ(q.size(), 1U);
  EXPECT_EQ(*q.front(), "in-flight");
  // The room freed by clear() is usable again.
  for (const char* s : {"e", "f", "g", "h"}) {
    EXPECT_TRUE(q.push(text(s)));
  }
  EXPECT_FALSE(q.push(text("i")));
  EXPECT_EQ(drain(q), "in-flight,e,f,g,h");
}

TEST(OutboundQueue, ClearKeepingFrontOfOneOrNone) {
  outbound_queue q{3};
  q.clear(true);
  EXPECT_TRUE(q.empty());
  ASSERT_TRUE(q.push(text("only")));
  q.clear(true);
  ASSERT_EQ(q.size(), 1U);
  EXPECT_EQ(*q.front(), "only");
}

TEST(OutboundQueue, ClearWithoutKeepingFrontEmpties) {
  outbound_queue q{3};
  ASSERT_TRUE(q.push(text("a")));
  ASSERT_TRUE(q.push(text("b")));
  q.clear(false);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0U);
  EXPECT_TRUE(q.push(text("c")));
  EXPECT_EQ(drain(q), "c");
}

TEST(OutboundQueue, KeepsOrderAcrossManyInterleavedPushesAndPops) {
  // Enough pushes and pops to move the front past every compaction point many times.
  outbound_queue q{1000};
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 1 + round % 7; ++i) {
      ASSERT_TRUE(q.push(text(std::to_string(next_in++))));
    }
    for (int i = 0; i < 1 + round % 5 && !q.empty(); ++i) {
      ASSERT_EQ(*q.front(), std::to_string(next_out++));
      q.pop();
    }
    ASSERT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  }
  while (!q.empty()) {
    ASSERT_EQ(*q.front(), std::to_string(next_out++));
    q.pop();
  }
  EXPECT_EQ(next_out, next_in);
  ASSERT_TRUE(q.push(text("again")));
  EXPECT_EQ(drain(q), "again");
}

TEST(OutboundQueue, ClearKeepingFrontAfterPops) {
  outbound_queue q{10};
  for (const char* s : {"1", "2", "3", "4"}) {
    ASSERT_TRUE(q.push(text(s)));
  }
  q.pop();
  q.clear(true);
  EXPECT_EQ(drain(q), "2");
}

}  // namespace
}  // namespace plexichat::net
