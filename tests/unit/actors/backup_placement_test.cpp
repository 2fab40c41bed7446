#include "actors/backup/shard_placement.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace plexichat::actors::backup {
namespace {

std::vector<std::string> peers(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back("node-" + std::to_string(i));
  }
  return out;
}

std::string chunk(int i) {
  return std::string(28, 'c') + std::to_string(1000 + i);
}

TEST(BackupPlacement, DistinctPeersNeverSelfWhateverTheOrder) {
  auto five = peers(5);
  auto reversed = five;
  std::reverse(reversed.begin(), reversed.end());
  for (int i = 0; i < 200; ++i) {
    auto holders = place_shards(chunk(i), five, "node-0", 2, 2);
    ASSERT_TRUE(holders.ok());
    ASSERT_EQ(holders.value().size(), 4u);
    std::set<std::string> distinct(holders.value().begin(), holders.value().end());
    EXPECT_EQ(distinct.size(), 4u);
    EXPECT_EQ(distinct.count("node-0"), 0u);
    EXPECT_EQ(place_shards(chunk(i), reversed, "node-0", 2, 2).value(), holders.value());
  }
}

TEST(BackupPlacement, SpreadsShardsOverThePeers) {
  auto ten = peers(10);
  std::map<std::string, int> load;
  for (int i = 0; i < 1000; ++i) {
    auto holders = place_shards(chunk(i), ten, "node-0", 2, 2);
    for (const auto& h : holders.value()) {
      ++load[h];
    }
  }
  ASSERT_EQ(load.size(), 9u);
  for (const auto& [peer, n] : load) {
    EXPECT_GT(n, 4000 / 9 * 3 / 4) << peer;
    EXPECT_LT(n, 4000 / 9 * 5 / 4) << peer;
  }
}

TEST(BackupPlacement, APeerLeavingMovesLittleBesidesItsShards) {
  auto eight = peers(8);
  auto seven = eight;
  seven.erase(seven.begin() + 3);  // node-3 leaves
  int moved = 0;
  int total = 0;
  for (int i = 0; i < 500; ++i) {
    auto before = place_shards(chunk(i), eight, "node-0", 2, 2).value();
    auto after = place_shards(chunk(i), seven, "node-0", 2, 2).value();
    for (std::size_t s = 0; s < before.size(); ++s) {
      if (before[s] != "node-3") {
        ++total;
        moved += before[s] != after[s];
      }
    }
  }
  EXPECT_LT(moved * 10, total);
}

TEST(BackupPlacement, RefusesWithTooFewPeers) {
  auto four = peers(4);
  auto r = place_shards(chunk(0), four, "node-0", 2, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, storage::errc::invalid_argument);
  EXPECT_EQ(r.error().message, "backup needs k + m = 4 peers other than this node, 3 are up");
  EXPECT_TRUE(place_shards(chunk(0), four, "elsewhere", 2, 2).ok());
  // Duplicates count once.
  std::vector<std::string> dupes{"a", "a", "b", "c", "d"};
  EXPECT_FALSE(place_shards(chunk(0), dupes, "self", 3, 2).ok());
  EXPECT_FALSE(place_shards(chunk(0), peers(9), "node-0", 0, 2).ok());
}

}  // namespace
}  // namespace plexichat::actors::backup
