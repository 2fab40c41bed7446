#include "actors/channel/fan_out_pacing.hpp"

#include <array>
#include <map>

#include <gtest/gtest.h>

#include "config/node_config.hpp"

namespace plexichat::actors::channel {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using pacing = fan_out_pacing;

/// The default of channels.fan_out_max_hold.
const microseconds max_hold{config::channel_config{}.fan_out_max_hold};

/// Messages committed one at a time, each followed by every turn due by then, as the channel
/// actor does: returns the groups the message went to at once.
fan_out_pacing::group_set commit(pacing& p, pacing::clock::time_point now, uint64_t seq,
                                 std::size_t subscribers) {
  p.queued(seq);
  auto due = p.next_due(subscribers);
  if (!due || *due > now) {
    return 0;
  }
  return p.take(now, subscribers).to;
}

TEST(fan_out_pacing, small_channels_are_never_held_back) {
  pacing p{max_hold};
  EXPECT_EQ(p.spacing(0), microseconds{0});
  EXPECT_EQ(p.spacing(10), microseconds{0});
  EXPECT_EQ(p.spacing(pacing::min_subscribers - 1), microseconds{0});
  auto now = pacing::clock::now();
  EXPECT_EQ(commit(p, now, 1, 10), pacing::every_group);
  p.queued(2);
  EXPECT_LE(*p.next_due(10), now) << "even right after a fan-out";
}

TEST(fan_out_pacing, spacing_grows_with_the_subscribers_up_to_its_bound) {
  pacing p{max_hold};
  auto at_min = pacing::min_subscribers;
  EXPECT_EQ(p.spacing(at_min), pacing::per_subscriber * at_min);
  EXPECT_EQ(p.spacing(2 * at_min), 2 * pacing::per_subscriber * at_min);
  EXPECT_EQ(p.spacing(1'000'000), max_hold);
  EXPECT_LT(p.spacing(at_min), max_hold);
}

TEST(fan_out_pacing, the_bound_is_the_max_hold_it_is_given) {
  pacing p{milliseconds{5}};
  EXPECT_EQ(p.spacing(100), microseconds{2000}) << "below the bound: per subscriber";
  EXPECT_EQ(p.spacing(1000), milliseconds{5});
  auto now = pacing::clock::now();
  commit(p, now, 1, 1000);
  p.queued(2);
  EXPECT_EQ(*p.next_due(1000), now + microseconds{2500}) << "2 turns 2.5 ms apart";
}

TEST(fan_out_pacing, a_max_hold_of_zero_never_holds_back) {
  pacing p{microseconds{0}};
  EXPECT_EQ(p.spacing(1'000'000), microseconds{0});
  auto now = pacing::clock::now();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    EXPECT_EQ(commit(p, now, seq, 1'000'000), pacing::every_group) << "even right after one";
  }
  EXPECT_EQ(p.sent_to_all(), 3u);
  EXPECT_FALSE(p.next_due(1'000'000)) << "nothing left to send";
}

TEST(fan_out_pacing, small_channels_send_every_message_to_everyone_at_once) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    auto t = p.take(now, 10);
    EXPECT_EQ(t.to, 0u) << "nothing queued";
    p.queued(seq);
    t = p.take(now, 10);
    EXPECT_EQ(t.to, pacing::every_group);
    for (auto after : t.after) {
      EXPECT_EQ(after, seq - 1) << "each group gets what it was not sent";
    }
  }
}

TEST(fan_out_pacing, a_quiet_channel_sends_at_once_then_staggers_the_turns) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  auto s = p.spacing(1000);
  ASSERT_EQ(s, milliseconds{20});
  EXPECT_EQ(commit(p, now, 1, 1000), pacing::every_group) << "nothing was ever sent";
  // The next message waits for the turns, spread evenly over the spacing: 8 slots of 2.5 ms.
  p.queued(2);
  auto slot = s / pacing::groups;
  EXPECT_EQ(*p.next_due(1000), now + slot) << "the last group's turn comes first";
  for (std::size_t k = 1; k <= pacing::groups; ++k) {
    auto t = p.take(now + slot * static_cast<int64_t>(k), 1000);
    EXPECT_EQ(t.to, pacing::group_set{1} << (pacing::groups - k)) << "one group per slot";
    EXPECT_EQ(t.after[pacing::groups - k], 1u);
  }
  EXPECT_EQ(p.sent_to_all(), 2u);
  // Quiet for a spacing: everyone at once again.
  EXPECT_EQ(commit(p, now + 2 * s + slot, 3, 1000), pacing::every_group);
}

TEST(fan_out_pacing, turns_closer_than_the_minimum_gap_go_together) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  auto s = p.spacing(250);  // 5 ms: two slots of 2.5 ms
  ASSERT_EQ(s, 2 * pacing::min_turn_gap);
  commit(p, now, 1, 250);
  p.queued(2);
  auto first = p.take(now + s / 2, 250);
  auto second = p.take(now + s, 250);
  EXPECT_EQ(first.to, 0xAAu) << "the odd groups";
  EXPECT_EQ(second.to, 0x55u) << "then the even ones";
  // Under 250 subscribers the spacing is too short for two turns: everyone at once.
  pacing q{max_hold};
  commit(q, now, 1, 100);
  q.queued(2);
  EXPECT_EQ(q.take(now + q.spacing(100), 100).to, pacing::every_group);
}

TEST(fan_out_pacing, a_busy_channel_writes_each_group_once_a_spacing_and_spreads_them) {
  // 1,000 subscribers, a message every 5 ms for a second, the timer firing each turn 0.3 ms
  // late: each message reaches every group within a spacing and a timer's delay, and once
  // the turns are spread out, no group gets two within a spacing and no turn takes two.
  pacing p{max_hold};
  auto start = pacing::clock::now();
  auto s = p.spacing(1000);
  auto late = microseconds{300};
  std::array<pacing::clock::time_point, pacing::groups> last_turn{};
  std::map<uint64_t, pacing::clock::time_point> committed;
  std::size_t turns = 0;
  auto take = [&](pacing::clock::time_point now) {
    auto t = p.take(now, 1000);
    for (std::size_t g = 0; g < pacing::groups; ++g) {
      if (!(t.to & (pacing::group_set{1} << g))) {
        continue;
      }
      ++turns;
      if (now > start + 2 * s) {  // once the turns are spread out
        EXPECT_GE(now - last_turn[g], s - late) << "group " << g;
        EXPECT_EQ(t.to, pacing::group_set{1} << g) << "one group a turn";
      }
      last_turn[g] = now;
      for (auto i = committed.upper_bound(t.after[g]); i != committed.end(); ++i) {
        EXPECT_LE(now - i->second, s + late) << "message " << i->first;
      }
    }
  };
  auto now = start;
  uint64_t seq = 0;
  auto next_message = start;
  while (now < start + std::chrono::seconds{1}) {
    auto due = p.next_due(1000);
    if (due && *due + late < next_message) {
      now = std::max(now, *due + late);
      take(now);
      continue;
    }
    now = next_message;
    committed[++seq] = now;
    p.queued(seq);
    take(now);
    next_message += milliseconds{5};
  }
  EXPECT_NEAR(static_cast<double>(turns), 1000.0 / 20 * pacing::groups, pacing::groups * 2.0)
      << "about one turn per group and spacing";
}

TEST(fan_out_pacing, one_turn_writes_to_every_group_at_once) {
  pacing p{max_hold, 1};
  auto now = pacing::clock::now();
  auto s = p.spacing(1000);
  EXPECT_EQ(commit(p, now, 1, 1000), pacing::every_group);
  for (uint64_t seq = 2; seq <= 5; ++seq) {
    p.queued(seq);
    ASSERT_EQ(*p.next_due(1000), now + s * static_cast<int64_t>(seq - 1));
    EXPECT_EQ(p.take(*p.next_due(1000), 1000).to, pacing::every_group);
  }
}

TEST(fan_out_pacing, all_sends_to_every_group_with_something_to_send) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  commit(p, now, 1, 1000);
  p.queued(2);
  auto t = p.take(now, 1000, true);
  EXPECT_EQ(t.to, pacing::every_group);
  EXPECT_EQ(p.sent_to_all(), 2u);
  EXPECT_EQ(p.take(now, 1000, true).to, 0u) << "nothing left";
}

TEST(fan_out_pacing, a_late_turn_keeps_the_cadence_unless_it_is_very_late) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  auto s = p.spacing(1000);
  auto slot = s / pacing::groups;
  commit(p, now, 1, 1000);
  p.queued(2);
  // Group 7 is due at now + slot; its turn comes 1 ms late, and its next is still a spacing
  // after it was due.
  EXPECT_EQ(p.take(now + slot + milliseconds{1}, 1000).to, 0x80u);
  p.queued(3);
  EXPECT_FALSE(p.take(now + slot + s - microseconds{1}, 1000).to & 0x80u);
  EXPECT_TRUE(p.take(now + slot + s, 1000).to & 0x80u);
  // Taken more than half a spacing late, a group is not due again at once.
  p.queued(4);
  auto very_late = now + slot + 2 * s + 3 * s / 5;
  EXPECT_TRUE(p.take(very_late, 1000).to & 0x80u);
  p.queued(5);
  EXPECT_GT(*p.next_due(1000), very_late);
}

}  // namespace
}  // namespace plexichat::actors::channel
