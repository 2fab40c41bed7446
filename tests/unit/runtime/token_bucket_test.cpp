#include "runtime/token_bucket.hpp"

#include <gtest/gtest.h>

#include "tests/unit/runtime/manual_clock.hpp"

namespace plexichat::runtime {
namespace {

using std::chrono::milliseconds;
using test_support::manual_clock;

TEST(TokenBucket, AllowsTheBurstThenRefusesWithTheWaitForOneToken) {
  manual_clock clock;
  token_bucket b{2.0, 3.0, *clock.now};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(b.take(*clock.now), std::nullopt) << i;
  }
  auto wait = b.take(*clock.now);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, milliseconds{500});  // 2 tokens a second: one in 500 ms
}

TEST(TokenBucket, RefillsAtTheRateAndNeverAboveTheBurst) {
  manual_clock clock;
  token_bucket b{10.0, 2.0, *clock.now};
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_TRUE(b.take(*clock.now));
  clock.advance(milliseconds{100});  // one token back
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_TRUE(b.take(*clock.now));
  clock.advance(milliseconds{60000});  // a minute idle still saves up only the burst
  EXPECT_TRUE(b.idle(*clock.now));
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_TRUE(b.take(*clock.now));
}

TEST(TokenBucket, IdleOnlyOnceFullAgain) {
  manual_clock clock;
  token_bucket b{1.0, 2.0, *clock.now};
  EXPECT_TRUE(b.idle(*clock.now));
  EXPECT_FALSE(b.take(*clock.now));
  EXPECT_FALSE(b.idle(*clock.now));
  clock.advance(milliseconds{999});
  EXPECT_FALSE(b.idle(*clock.now));
  clock.advance(milliseconds{1});
  EXPECT_TRUE(b.idle(*clock.now));
}

TEST(BucketLevel, TakesWithTheLimitsItIsGivenEachTime) {
  manual_clock clock;
  bucket_level a{2.0, *clock.now};
  bucket_level b{2.0, *clock.now};
  EXPECT_FALSE(a.take(1.0, 2.0, *clock.now));
  EXPECT_FALSE(a.take(1.0, 2.0, *clock.now));
  auto wait = a.take(1.0, 2.0, *clock.now);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, milliseconds{1000});
  EXPECT_FALSE(b.take(1.0, 2.0, *clock.now));  // b is a bucket of its own
  // Limits lowered meanwhile: the refill stops at the new burst.
  clock.advance(milliseconds{10000});
  EXPECT_TRUE(a.idle(1.0, 1.0, *clock.now));
  EXPECT_FALSE(a.take(1.0, 1.0, *clock.now));
  EXPECT_TRUE(a.take(1.0, 1.0, *clock.now));
}

TEST(BucketMap, KeysHaveTheirOwnBuckets) {
  manual_clock clock;
  bucket_map m{1.0, 2.0, 100, clock.fn()};
  EXPECT_FALSE(m.take("a"));
  EXPECT_FALSE(m.take("a"));
  auto wait = m.take("a");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, milliseconds{1000});
  EXPECT_FALSE(m.take("b"));
  clock.advance(milliseconds{1000});
  EXPECT_FALSE(m.take("a"));
  EXPECT_TRUE(m.take("a"));
}

TEST(BucketMap, AFloodOfDistinctKeysStaysWithinCapacity) {
  manual_clock clock;
  bucket_map m{1.0, 5.0, 64, clock.fn()};
  for (int i = 0; i < 10000; ++i) {
    EXPECT_FALSE(m.take("addr-" + std::to_string(i)));
    ASSERT_LE(m.size(), 64u);
  }
  EXPECT_EQ(m.size(), 64u);
}

TEST(BucketMap, IdleBucketsAreDroppedBeforeTheTableFills) {
  manual_clock clock;
  bucket_map m{10.0, 1.0, 1000, clock.fn()};
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(m.take("k" + std::to_string(i)));
  }
  EXPECT_EQ(m.size(), 50u);
  clock.advance(milliseconds{100});  // every bucket is full again
  EXPECT_FALSE(m.take("new"));
  EXPECT_EQ(m.size(), 1u);
}

TEST(BucketMap, ABusyKeyKeepsItsStateWhileOthersCome) {
  manual_clock clock;
  bucket_map m{1.0, 1.0, 4, clock.fn()};
  EXPECT_FALSE(m.take("busy"));
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(m.take("other" + std::to_string(i)));
    EXPECT_TRUE(m.take("busy")) << "busy is most recent, so never the one evicted";
  }
  EXPECT_EQ(m.size(), 4u);
}

TEST(RetryAfter, RoundsUpToWholeSecondsAtLeastOne) {
  EXPECT_EQ(retry_after_seconds(milliseconds{0}), 1);
  EXPECT_EQ(retry_after_seconds(milliseconds{1}), 1);
  EXPECT_EQ(retry_after_seconds(milliseconds{1000}), 1);
  EXPECT_EQ(retry_after_seconds(milliseconds{1001}), 2);
  EXPECT_EQ(retry_after_seconds(milliseconds{120000}), 120);
}

}  // namespace
}  // namespace plexichat::runtime
