#include "actors/channel/fan_out_pacing.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::channel {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using pacing = fan_out_pacing;

TEST(fan_out_pacing, small_channels_are_never_held_back) {
  EXPECT_EQ(pacing::spacing(0), microseconds{0});
  EXPECT_EQ(pacing::spacing(10), microseconds{0});
  auto below = pacing::min_spacing / pacing::per_subscriber - 1;
  EXPECT_EQ(pacing::spacing(below), microseconds{0});
  pacing p;
  auto now = pacing::clock::now();
  p.sent(now);
  EXPECT_EQ(p.delay(now, 10), microseconds{0}) << "even right after a fan-out";
}

TEST(fan_out_pacing, spacing_grows_with_the_subscribers_up_to_its_bound) {
  auto at_min = pacing::min_spacing / pacing::per_subscriber;
  EXPECT_EQ(pacing::spacing(at_min), pacing::min_spacing);
  EXPECT_EQ(pacing::spacing(2 * at_min), 2 * pacing::min_spacing);
  EXPECT_EQ(pacing::spacing(1'000'000), pacing::max_spacing);
  EXPECT_LT(pacing::min_spacing, pacing::max_spacing);
}

TEST(fan_out_pacing, a_quiet_channel_sends_at_once) {
  pacing p;
  auto now = pacing::clock::now();
  EXPECT_EQ(p.delay(now, 1000), microseconds{0}) << "nothing was ever sent";
  p.sent(now);
  EXPECT_EQ(p.delay(now + pacing::spacing(1000), 1000), microseconds{0});
  EXPECT_EQ(p.delay(now + milliseconds{500}, 1000), microseconds{0});
}

TEST(fan_out_pacing, a_busy_channel_waits_out_the_rest_of_its_spacing) {
  pacing p;
  auto now = pacing::clock::now();
  p.sent(now);
  auto s = pacing::spacing(1000);
  ASSERT_GT(s, microseconds{0});
  EXPECT_EQ(p.delay(now, 1000), s);
  EXPECT_EQ(p.delay(now + s / 4, 1000), s - s / 4);
  EXPECT_EQ(p.delay(now + s - microseconds{1}, 1000), microseconds{1});
  p.sent(now + s);
  EXPECT_EQ(p.delay(now + s, 1000), s) << "the spacing counts from the last fan-out";
}

}  // namespace
}  // namespace plexichat::actors::channel
