// cluster.*: the membership timings and replication, from YAML and validated.
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
  cfg.cluster.suspect_after = 1499ms;  // no room for the lease to be renewed
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.suspect_after");
  cfg.cluster.suspect_after = 1500ms;
  EXPECT_NO_THROW(validate(cfg));
  cfg = node_config{};
  cfg.cluster.down_after = 1s;  // shorter than suspect_after
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.down_after");
  EXPECT_EQ(error_of([] { parse_yaml("cluster:\n  beat: 1s\n"); }).key(), "cluster.beat");
}

TEST(ClusterConfig, ReplicationDefaultsToThreeCopiesAndTwoAcks) {
  cluster_timing_config t;
  EXPECT_EQ(t.replication_factor, 3u);
  EXPECT_EQ(t.write_quorum, 2u);
  auto cfg = parse_yaml("cluster:\n  replication_factor: 5\n  write_quorum: 3\n");
  EXPECT_EQ(cfg.cluster.replication_factor, 5u);
  EXPECT_EQ(cfg.cluster.write_quorum, 3u);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(ClusterConfig, RefusesAQuorumLargerThanTheCopiesOrOutOfRange) {
  node_config cfg;
  cfg.cluster.write_quorum = 4;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.write_quorum");
  cfg = node_config{};
  cfg.cluster.replication_factor = 0;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.replication_factor");
  cfg = node_config{};
  cfg.cluster.write_quorum = 0;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster.write_quorum");
  EXPECT_ANY_THROW(parse_yaml("cluster:\n  write_quorum: two\n"));
}

TEST(BackupConfig, ReadsAndValidatesTheBackupSection) {
  auto cfg = parse_yaml(
      "backup:\n  data_shards: 3\n  parity_shards: 2\n  interval: 6h\n  retention: 4\n"
      "  scrub_interval: 30m\n  check_interval: 0\n");
  EXPECT_EQ(cfg.backup.data_shards, 3u);
  EXPECT_EQ(cfg.backup.parity_shards, 2u);
  EXPECT_EQ(cfg.backup.interval, 6h);
  EXPECT_EQ(cfg.backup.retention, 4u);
  EXPECT_EQ(cfg.backup.scrub_interval, 30min);
  EXPECT_EQ(cfg.backup.check_interval, 0s);  // off: only on a lost holder or on request
  EXPECT_NO_THROW(validate(cfg));
  EXPECT_EQ(node_config{}.backup.check_interval, 1h);
  EXPECT_EQ(node_config{}.backup.interval, 0s);  // on request only
  cfg = node_config{};
  cfg.backup.data_shards = 0;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "backup.data_shards");
  cfg = node_config{};
  cfg.backup.parity_shards = 33;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "backup.parity_shards");
  cfg = node_config{};
  cfg.backup.interval = 10s;  // below a minute, and not 0
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "backup.interval");
  cfg = node_config{};
  cfg.backup.retention = 0;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "backup.retention");
}

}  // namespace
}  // namespace plexichat::config
