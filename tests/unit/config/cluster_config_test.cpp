// cluster.*: the membership timings, from YAML and validated.
#include <gtest/gtest.h>

#include <chrono>

#include "config/node_config.hpp"
#include "tests/unit/config/error_of.hpp"

namespace plexichat::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;

TEST(ClusterConfig, DefaultsAreHalfASecondTwoAndSix) {
  cluster_timing_config t;
  EXPECT_EQ(t.heartbeat_interval, 500ms);
  EXPECT_EQ(t.suspect_after, 2s);
  EXPECT_EQ(t.down_after, 6s);
  EXPECT_NO_THROW(validate(node_config{}));
}

TEST(ClusterConfig, ReadsTheTimings) {
  auto cfg = parse_yaml(
      "cluster:\n  heartbeat_interval: 200ms\n  suspect_after: 1s\n"
      "  down_after: 3s\n");
  EXPECT_EQ(cfg.cluster.heartbeat_interval, 200ms);
  EXPECT_EQ(cfg.cluster.suspect_after, 1s);
  EXPECT_EQ(cfg.cluster.down_after, 3s);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(ClusterConfig, RefusesOutOfRangeAndDisorderedTimings) {
  node_config cfg;
  cfg.cluster.heartbeat_interval = 10ms;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.heartbeat_interval");
  cfg = node_config{};
  cfg.cluster.suspect_after = 500ms;  // not longer than the heartbeat
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.suspect_after");
  cfg = node_config{};
  cfg.cluster.down_after = 1s;  // shorter than suspect_after
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.down_after");
  EXPECT_EQ(error_of([] { parse_yaml("cluster:\n  beat: 1s\n"); }).key(), "cluster.beat");
}

}  // namespace
}  // namespace plexichat::config
