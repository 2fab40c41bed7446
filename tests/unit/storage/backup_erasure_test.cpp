#include "storage/backup/erasure_coder.hpp"

#include <gtest/gtest.h>

#include "tests/unit/storage/backup_test_data.hpp"

namespace plexichat::storage::backup {
namespace {

using testing::random_data;

/// Calls `f` with every subset of {0..n-1} of size r, as a bit mask.
template <class F>
void for_each_subset(int n, int r, F f) {
  for (uint64_t mask = 0; mask < (uint64_t{1} << n); ++mask) {
    if (__builtin_popcountll(mask) == r) {
      f(mask);
    }
  }
}

TEST(BackupErasure, ValidateRefusesBadCounts) {
  EXPECT_TRUE(erasure_coder::validate(2, 2).ok());
  EXPECT_FALSE(erasure_coder::validate(0, 2).ok());
  EXPECT_FALSE(erasure_coder::validate(2, 0).ok());
  EXPECT_FALSE(erasure_coder::validate(40, 30).ok());
}

TEST(BackupErasure, DataShardsAreTheItemAndPaddingIsRecorded) {
  erasure_coder coder(3, 2);
  auto coded = coder.encode("abcdefgh");
  ASSERT_EQ(coded.shards.size(), 5u);
  EXPECT_EQ(coded.shards[0], "abc");
  EXPECT_EQ(coded.shards[1], "def");
  EXPECT_EQ(coded.shards[2], std::string("gh\0", 3));
  EXPECT_EQ(coded.padding, 1u);
  EXPECT_EQ(coder.shard_size(8), 3u);
  EXPECT_EQ(coder.shard_size(0), 1u);
}

TEST(BackupErasure, AnyKShardsDecodeForSeveralKAndM) {
  const std::pair<int, int> shapes[] = {{1, 1}, {2, 2}, {3, 2}, {4, 2}, {4, 4}, {6, 3}, {10, 4}};
  for (auto [k, m] : shapes) {
    erasure_coder coder(k, m);
    for (std::size_t length : {std::size_t{1}, std::size_t{1000}, std::size_t{12345}}) {
      std::string item = random_data(length, k * 100 + m);
      auto coded = coder.encode(item);
      int subsets = 0;
      for_each_subset(k + m, k, [&](uint64_t mask) {
        std::map<int, std::string> at_hand;
        for (int i = 0; i < k + m; ++i) {
          if (mask & (uint64_t{1} << i)) {
            at_hand.emplace(i, coded.shards[i]);
          }
        }
        auto back = coder.decode(at_hand, length);
        ASSERT_TRUE(back.ok()) << k << "+" << m << " mask " << mask;
        ASSERT_EQ(back.value(), item) << k << "+" << m << " mask " << mask;
        ++subsets;
      });
      EXPECT_GT(subsets, 0);
    }
  }
}

TEST(BackupErasure, FewerThanKShardsIsAClearError) {
  erasure_coder coder(2, 2);
  auto coded = coder.encode("hello world");
  auto r = coder.decode({{3, coded.shards[3]}}, 11);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, errc::corruption);
  EXPECT_EQ(r.error().message, "2 shards needed, 1 at hand");
  EXPECT_EQ(coder.decode({{0, "x"}, {1, "y"}}, 11).error().code, errc::invalid_argument);
  EXPECT_EQ(coder.decode({{0, coded.shards[0]}, {9, coded.shards[1]}}, 11).error().code,
            errc::invalid_argument);
}

}  // namespace
}  // namespace plexichat::storage::backup
