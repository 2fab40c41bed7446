#include "tools/plexichat-bench/seq_tracker.hpp"

#include <gtest/gtest.h>

namespace plexichat::bench {
namespace {

TEST(SeqTracker, InOrderHasNoGapsOrLosses) {
  seq_tracker t;
  t.start(10);
  for (uint64_t s = 11; s <= 20; ++s) {
    t.observe(s);
  }
  EXPECT_EQ(t.received(), 10u);
  EXPECT_EQ(t.gaps(), 0u);
  EXPECT_EQ(t.duplicates(), 0u);
  EXPECT_EQ(t.losses(20), 0u);
  EXPECT_TRUE(t.caught_up(20));
  EXPECT_FALSE(t.caught_up(21));
}

TEST(SeqTracker, AJumpIsOneGapAndItsSkippedSeqsAreLost) {
  seq_tracker t;
  t.start(0);
  t.observe(1);
  t.observe(2);
  t.observe(6);  // 3, 4, 5 skipped
  t.observe(7);
  t.observe(9);  // 8 skipped
  EXPECT_EQ(t.gaps(), 2u);
  EXPECT_EQ(t.skipped(), 4u);
  EXPECT_EQ(t.losses(9), 4u);
}

TEST(SeqTracker, TheMissingTailIsLost) {
  seq_tracker t;
  t.start(5);
  t.observe(6);
  t.observe(7);
  EXPECT_EQ(t.losses(10), 3u);  // 8, 9, 10 never came
  EXPECT_EQ(t.gaps(), 0u);
}

TEST(SeqTracker, RepeatsAndReorderingAreDuplicates) {
  seq_tracker t;
  t.start(0);
  t.observe(1);
  t.observe(2);
  t.observe(2);
  t.observe(1);
  t.observe(3);
  EXPECT_EQ(t.duplicates(), 2u);
  EXPECT_EQ(t.received(), 3u);
  EXPECT_EQ(t.losses(3), 0u);
}

TEST(SeqTracker, NothingExpectedBeforeTheStart) {
  seq_tracker t;
  t.start(50);
  EXPECT_EQ(t.losses(40), 0u);
  EXPECT_EQ(t.losses(50), 0u);
  t.observe(50);  // at or below the start: not new
  EXPECT_EQ(t.duplicates(), 1u);
}

TEST(SeqTracker, SeqsBeyondTheNewestAckedDoNotHideLosses) {
  seq_tracker t;
  t.start(0);
  t.observe(1);
  t.observe(3);  // 2 missing
  t.observe(4);
  EXPECT_EQ(t.losses(3), 1u);
}

}  // namespace
}  // namespace plexichat::bench
