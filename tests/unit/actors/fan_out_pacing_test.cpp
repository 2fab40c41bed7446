#include "actors/channel/fan_out_pacing.hpp"

#include <gtest/gtest.h>

#include "config/node_config.hpp"

namespace plexichat::actors::channel {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using pacing = fan_out_pacing;

/// The default of channels.fan_out_max_hold.
const microseconds max_hold{config::channel_config{}.fan_out_max_hold};

TEST(fan_out_pacing, small_channels_are_never_held_back) {
  pacing p{max_hold};
  EXPECT_EQ(p.spacing(0), microseconds{0});
  EXPECT_EQ(p.spacing(10), microseconds{0});
  EXPECT_EQ(p.spacing(pacing::min_subscribers - 1), microseconds{0});
  auto now = pacing::clock::now();
  p.sent(now);
  EXPECT_EQ(p.delay(now, 10), microseconds{0}) << "even right after a fan-out";
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
  p.sent(now);
  EXPECT_EQ(p.delay(now + milliseconds{1}, 1000), milliseconds{4});
}

TEST(fan_out_pacing, a_max_hold_of_zero_never_holds_back) {
  pacing p{microseconds{0}};
  EXPECT_EQ(p.spacing(1'000'000), microseconds{0});
  auto now = pacing::clock::now();
  p.sent(now);
  EXPECT_EQ(p.delay(now, 1'000'000), microseconds{0}) << "even right after a fan-out";
}

TEST(fan_out_pacing, a_quiet_channel_sends_at_once) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  EXPECT_EQ(p.delay(now, 1000), microseconds{0}) << "nothing was ever sent";
  p.sent(now);
  EXPECT_EQ(p.delay(now + p.spacing(1000), 1000), microseconds{0});
  EXPECT_EQ(p.delay(now + milliseconds{500}, 1000), microseconds{0});
}

TEST(fan_out_pacing, a_busy_channel_waits_out_the_rest_of_its_spacing) {
  pacing p{max_hold};
  auto now = pacing::clock::now();
  p.sent(now);
  auto s = p.spacing(1000);
  ASSERT_GT(s, microseconds{0});
  EXPECT_EQ(p.delay(now, 1000), s);
  EXPECT_EQ(p.delay(now + s / 4, 1000), s - s / 4);
  EXPECT_EQ(p.delay(now + s - microseconds{1}, 1000), microseconds{1});
  p.sent(now + s);
  EXPECT_EQ(p.delay(now + s, 1000), s) << "the spacing counts from the last fan-out";
}

}  // namespace
}  // namespace plexichat::actors::channel
