#include "actors/session/subscription.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace plexichat::actors::session {
namespace {

wire::frame frame_of(uint64_t seq) {
  return std::make_shared<const std::string>("frame-" + std::to_string(seq));
}

std::vector<std::string> texts(const std::vector<wire::frame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) {
    out.push_back(f ? *f : std::string{"<null>"});
  }
  return out;
}

constexpr auto all = std::numeric_limits<std::size_t>::max();

TEST(SubscriptionTest, NothingToReplayGoesLiveAtOnce) {
  subscription sub{5, 5};
  EXPECT_FALSE(sub.replaying());
  EXPECT_EQ(sub.delivered(), 5u);
  EXPECT_TRUE(sub.on_live(6, frame_of(6)));
  EXPECT_TRUE(sub.on_live(7, frame_of(7)));
  EXPECT_EQ(sub.delivered(), 7u);
  EXPECT_EQ(sub.held(), 0u);
}

TEST(SubscriptionTest, EmptyChannelFromZero) {
  subscription sub{0, 0};
  EXPECT_FALSE(sub.replaying());
  EXPECT_TRUE(sub.on_live(1, frame_of(1)));
  EXPECT_EQ(sub.delivered(), 1u);
}

TEST(SubscriptionTest, LiveDuplicatesAreDropped) {
  subscription sub{0, 0};
  EXPECT_TRUE(sub.on_live(1, frame_of(1)));
  EXPECT_FALSE(sub.on_live(1, frame_of(1)));
  EXPECT_TRUE(sub.on_live(2, frame_of(2)));
  EXPECT_FALSE(sub.on_live(1, frame_of(1)));
  EXPECT_FALSE(sub.on_live(2, frame_of(2)));
  EXPECT_EQ(sub.delivered(), 2u);
  EXPECT_EQ(sub.held(), 0u);
}

TEST(SubscriptionTest, LiveBeforeReplayEndsIsHeldThenFlushedInOrderOnce) {
  subscription sub{2, 5};
  EXPECT_TRUE(sub.replaying());
  EXPECT_EQ(sub.delivered(), 2u);
  EXPECT_EQ(sub.replay_until(), 5u);
  EXPECT_FALSE(sub.on_live(6, frame_of(6)));
  EXPECT_FALSE(sub.on_live(7, frame_of(7)));
  EXPECT_EQ(sub.held(), 2u);
  for (uint64_t seq = 3; seq <= 5; ++seq) {
    sub.on_replayed(seq);
  }
  EXPECT_FALSE(sub.replaying());
  EXPECT_TRUE(sub.catching_up()) << "the held frames are still to be sent";
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-6", "frame-7"}));
  EXPECT_EQ(sub.held(), 0u);
  EXPECT_EQ(sub.delivered(), 7u);
  EXPECT_TRUE(sub.catching_up()) << "live only once the session says so";
  EXPECT_TRUE(sub.go_live());
  EXPECT_FALSE(sub.catching_up());
  EXPECT_TRUE(sub.next_held(all).empty()) << "held frames are flushed exactly once";
  EXPECT_FALSE(sub.on_live(7, frame_of(7)));
  EXPECT_TRUE(sub.on_live(8, frame_of(8)));
}

TEST(SubscriptionTest, LiveAfterReplayIsSentAtOnce) {
  subscription sub{0, 2};
  sub.on_replayed(1);
  sub.on_replayed(2);
  EXPECT_TRUE(sub.next_held(all).empty());
  EXPECT_TRUE(sub.go_live());
  EXPECT_FALSE(sub.catching_up());
  EXPECT_TRUE(sub.on_live(3, frame_of(3)));
  EXPECT_EQ(sub.held(), 0u);
}

TEST(SubscriptionTest, LiveFramesAlreadyCoveredByReplayAreDropped) {
  subscription sub{0, 3};
  EXPECT_FALSE(sub.on_live(2, frame_of(2))) << "held: newer than what was delivered";
  sub.on_replayed(1);
  sub.on_replayed(2);
  EXPECT_FALSE(sub.on_live(2, frame_of(2))) << "already replayed";
  EXPECT_FALSE(sub.on_live(4, frame_of(4)));
  EXPECT_FALSE(sub.on_live(4, frame_of(4)));
  sub.on_replayed(3);
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-4"}));
  EXPECT_EQ(sub.delivered(), 4u);
}

TEST(SubscriptionTest, ReplayedSeqsNeverMoveBackwards) {
  subscription sub{0, 5};
  sub.on_replayed(3);
  sub.on_replayed(2);
  EXPECT_EQ(sub.delivered(), 3u);
  EXPECT_TRUE(sub.replaying());
}

TEST(SubscriptionTest, AfterSeqBeyondLastSeqIsClamped) {
  subscription sub{100, 5};
  EXPECT_EQ(sub.delivered(), 5u);
  EXPECT_FALSE(sub.replaying());
  EXPECT_TRUE(sub.on_live(6, frame_of(6))) << "the next live message is not lost";
}

TEST(SubscriptionTest, FinishReplayEarly) {
  subscription sub{0, 10};
  EXPECT_FALSE(sub.on_live(11, frame_of(11)));
  EXPECT_FALSE(sub.on_live(12, frame_of(12)));
  sub.on_replayed(1);
  sub.on_replayed(2);
  EXPECT_TRUE(sub.replaying());
  EXPECT_TRUE(sub.next_held(all).empty()) << "not before the replay ends";
  // Storage had nothing more: the held frames follow.
  sub.replay_exhausted();
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-11", "frame-12"}));
  EXPECT_FALSE(sub.replaying());
  EXPECT_EQ(sub.delivered(), 12u);
  EXPECT_EQ(sub.held(), 0u);
  EXPECT_TRUE(sub.go_live());
  EXPECT_TRUE(sub.on_live(13, frame_of(13)));
}

TEST(SubscriptionTest, FinishReplayEarlyWithNothingHeld) {
  subscription sub{0, 10};
  sub.on_replayed(4);
  sub.replay_exhausted();
  EXPECT_TRUE(sub.go_live());
  EXPECT_FALSE(sub.catching_up());
  EXPECT_TRUE(sub.next_held(all).empty());
  EXPECT_EQ(sub.replay_until(), 4u);
  EXPECT_TRUE(sub.on_live(11, frame_of(11)));
}

TEST(SubscriptionTest, HeldFramesKeepTheirContent) {
  subscription sub{0, 1};
  auto f = frame_of(2);
  EXPECT_FALSE(sub.on_live(2, f));
  sub.on_replayed(1);
  auto out = sub.next_held(all);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.front(), f) << "the same shared frame, not a copy";
}

TEST(SubscriptionTest, HeldFramesGoOutInPagesAndLiveOnesQueueBehindThem) {
  subscription sub{0, 1};
  for (uint64_t seq = 2; seq <= 5; ++seq) {
    EXPECT_FALSE(sub.on_live(seq, frame_of(seq)));
  }
  sub.on_replayed(1);
  EXPECT_EQ(texts(sub.next_held(2)), (std::vector<std::string>{"frame-2", "frame-3"}));
  EXPECT_TRUE(sub.catching_up());
  EXPECT_FALSE(sub.on_live(6, frame_of(6))) << "not before the frames held ahead of it";
  EXPECT_EQ(texts(sub.next_held(2)), (std::vector<std::string>{"frame-4", "frame-5"}));
  EXPECT_EQ(texts(sub.next_held(2)), (std::vector<std::string>{"frame-6"}));
  EXPECT_TRUE(sub.go_live());
  EXPECT_FALSE(sub.catching_up());
  EXPECT_TRUE(sub.on_live(7, frame_of(7)));
  EXPECT_EQ(sub.delivered(), 7u);
}

TEST(SubscriptionTest, HoldingAndSendingInTurnKeepsOrderForLong) {
  // Two live frames arrive for each one sent, so the held ones pile up (the sent ones are cut
  // from the front meanwhile) until the limit sends them to storage: every seq still goes
  // out once, in order, none lost between held and replayed.
  subscription sub{0, 1, 1, 64};
  uint64_t next_live = 2;
  uint64_t expected = 1;  // seq 1 comes from storage
  uint64_t from_storage = 0;
  uint64_t from_held = 0;
  EXPECT_FALSE(sub.on_live(next_live, frame_of(next_live)));
  ++next_live;
  for (int round = 0; round < 1000 && sub.catching_up(); ++round) {
    for (int i = 0; i < 2; ++i, ++next_live) {
      EXPECT_FALSE(sub.on_live(next_live, frame_of(next_live)));
    }
    EXPECT_LE(sub.held(), 64u);
    while (sub.replaying()) {
      sub.on_replayed(expected++);
      ++from_storage;
    }
    for (const auto& text : texts(sub.next_held(1))) {
      EXPECT_EQ(text, "frame-" + std::to_string(expected));
      ++expected;
      ++from_held;
    }
  }
  while (!sub.go_live()) {
    while (sub.replaying()) {
      sub.on_replayed(expected++);
    }
    for (const auto& text : texts(sub.next_held(8))) {
      EXPECT_EQ(text, "frame-" + std::to_string(expected));
      ++expected;
      ++from_held;
    }
  }
  EXPECT_EQ(expected, next_live) << "every seq sent once";
  EXPECT_GT(from_storage, 1u) << "the limit sent held frames to storage";
  EXPECT_GE(from_held, 60u) << "the held frames went out one a round, through the cuts";
  EXPECT_TRUE(sub.on_live(next_live, frame_of(next_live)));
}

TEST(SubscriptionTest, HoldingMoreThanTheLimitReplaysThemFromStorageInstead) {
  subscription sub{0, 3, 1, 2};
  EXPECT_FALSE(sub.on_live(4, frame_of(4)));
  EXPECT_FALSE(sub.on_live(5, frame_of(5)));
  EXPECT_EQ(sub.held(), 2u);
  EXPECT_FALSE(sub.on_live(6, frame_of(6)));
  EXPECT_EQ(sub.held(), 0u) << "never more than the limit";
  EXPECT_EQ(sub.replay_until(), 6u) << "4 to 6 now come from storage";
  EXPECT_FALSE(sub.on_live(7, frame_of(7)));
  EXPECT_EQ(sub.held(), 1u);
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    EXPECT_TRUE(sub.replaying());
    sub.on_replayed(seq);
  }
  EXPECT_FALSE(sub.replaying());
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-7"}));
  EXPECT_TRUE(sub.go_live());
  EXPECT_TRUE(sub.on_live(8, frame_of(8)));
}

TEST(SubscriptionTest, TheLimitAlsoBoundsFramesHeldAfterTheReplay) {
  subscription sub{0, 1, 1, 2};
  EXPECT_FALSE(sub.on_live(2, frame_of(2)));
  EXPECT_FALSE(sub.on_live(3, frame_of(3)));
  sub.on_replayed(1);
  EXPECT_FALSE(sub.replaying());
  EXPECT_FALSE(sub.on_live(4, frame_of(4))) << "the client has not taken the held ones yet";
  EXPECT_EQ(sub.held(), 0u);
  EXPECT_TRUE(sub.replaying()) << "back to storage for 2 to 4";
  EXPECT_TRUE(sub.next_held(all).empty());
  for (uint64_t seq = 2; seq <= 4; ++seq) {
    sub.on_replayed(seq);
  }
  EXPECT_TRUE(sub.go_live());
  EXPECT_FALSE(sub.catching_up());
}

TEST(SubscriptionTest, GoesLiveOnlyOnceAllIsSentAndWhenTheSessionSays) {
  // The session calls go_live() only while the socket's queue is at most half full; until
  // then, live frames are held, so the last page cannot leave a full queue for them.
  subscription sub{0, 2, 1, 64};
  EXPECT_FALSE(sub.go_live()) << "still replaying";
  sub.on_replayed(1);
  sub.on_replayed(2);
  EXPECT_FALSE(sub.replaying());
  EXPECT_TRUE(sub.catching_up());
  EXPECT_FALSE(sub.on_live(3, frame_of(3))) << "held while the queue may still be full";
  EXPECT_FALSE(sub.go_live()) << "frame 3 is still owed";
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-3"}));
  EXPECT_FALSE(sub.on_live(4, frame_of(4)));
  EXPECT_EQ(texts(sub.next_held(all)), (std::vector<std::string>{"frame-4"}));
  EXPECT_TRUE(sub.go_live());
  EXPECT_TRUE(sub.on_live(5, frame_of(5)));
  EXPECT_TRUE(sub.go_live()) << "stays live";
  EXPECT_EQ(sub.delivered(), 5u);
}

TEST(SubscriptionTest, GenerationIsKept) {
  EXPECT_EQ((subscription{0, 0}).generation(), 0u);
  EXPECT_EQ((subscription{3, 9, 7}).generation(), 7u);
}

TEST(SubscriptionTest, PagesAreAQuarterOfTheQueueAtMost) {
  EXPECT_EQ((replay_pacing{4096, 200}).page(), 200u) << "the default limit takes whole pages";
  EXPECT_EQ((replay_pacing{64, 200}).page(), 16u);
  EXPECT_EQ((replay_pacing{1, 200}).page(), 1u) << "a replay always moves";
  EXPECT_EQ((replay_pacing{0, 200}).page(), 1u);
}

TEST(SubscriptionTest, PagesAskedForCountAgainstTheQueue) {
  replay_pacing pacing{64, 200};  // pages of 16, while at most 32 frames are queued or asked
  EXPECT_TRUE(pacing.may_send(32, 0));
  EXPECT_FALSE(pacing.may_send(33, 0));
  EXPECT_TRUE(pacing.may_send(16, 1));
  EXPECT_FALSE(pacing.may_send(17, 1));
  EXPECT_TRUE(pacing.may_send(0, 2));
  EXPECT_FALSE(pacing.may_send(0, 3)) << "three pages asked fill half the queue";
}

// Many subscriptions catch up at once, each asking for a page whenever the pacing lets it;
// every page then comes back at once. Catching up must leave a quarter of the queue (at least
// one frame) to the session's other frames: `subscribed`, acks, pongs, other channels' live
// frames. (Pages of half the queue, asked for while it was half full, once filled it to the
// last frame, and the next `subscribed` closed a client that read with 4009.)
TEST(SubscriptionTest, CatchingUpLeavesAQuarterOfTheQueue) {
  for (std::size_t limit = 1; limit <= 1000; ++limit) {
    replay_pacing pacing{limit, 200};
    for (std::size_t queued = 0; queued <= limit; ++queued) {
      std::size_t asked = 0;
      while (pacing.may_send(queued, asked) && asked < 10000) {
        ++asked;
      }
      auto worst = queued + asked * pacing.page();
      if (asked == 0) {
        continue;  // nothing asked: the queue is as the other frames made it
      }
      ASSERT_LE(worst, limit) << "limit " << limit << ", queued " << queued;
      if (limit >= 4) {
        ASSERT_LE(worst, limit - std::max<std::size_t>(1, limit / 4))
            << "limit " << limit << ", queued " << queued;
      }
    }
  }
}

}  // namespace
}  // namespace plexichat::actors::session
