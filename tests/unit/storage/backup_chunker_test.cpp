#include "storage/backup/chunker.hpp"

#include <gtest/gtest.h>

#include <set>

#include "runtime/crypto.hpp"
#include "tests/unit/storage/backup_test_data.hpp"

namespace plexichat::storage::backup {
namespace {

using testing::random_data;

// Small sizes keep the tests quick under the sanitizers; the algorithm does not care.
const chunker_params kSmall{16 * 1024, 64 * 1024, 256 * 1024};

std::vector<std::string> chunk_hashes(const std::string& data, const chunker_params& p) {
  std::vector<std::string> out;
  uint64_t start = 0;
  for (uint64_t end : chunk_boundaries(data, p)) {
    out.push_back(runtime::hash256(std::string_view(data).substr(start, end - start)));
    start = end;
  }
  return out;
}

TEST(BackupChunker, DefaultsAreValidAndBadSizesAreRefused) {
  EXPECT_TRUE(validate(chunker_params{}).ok());
  EXPECT_EQ(validate({32, 64, 128}).code, errc::invalid_argument);
  EXPECT_EQ(validate({1024, 512, 4096}).code, errc::invalid_argument);
  EXPECT_EQ(validate({1024, 4096, 2048}).code, errc::invalid_argument);
}

TEST(BackupChunker, GearTableIsFixedAndVaried) {
  const auto& table = gear_table();
  std::set<uint64_t> distinct(table.begin(), table.end());
  EXPECT_EQ(distinct.size(), 256u);
  // The v1 table's first entries: a change here changes every chunk name.
  EXPECT_EQ(table[0], 7820300286644328040u);
  EXPECT_EQ(table[255], 8084255714057998849u);
}

TEST(BackupChunker, SizesWithinBoundsAndAverageNearTarget) {
  std::string data = random_data(24 << 20, 1);
  auto ends = chunk_boundaries(data, kSmall);
  ASSERT_GT(ends.size(), 100u);
  EXPECT_EQ(ends.back(), data.size());
  uint64_t start = 0;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    uint64_t size = ends[i] - start;
    EXPECT_LE(size, kSmall.max_size);
    if (i + 1 < ends.size()) {
      EXPECT_GE(size, kSmall.min_size);
    }
    start = ends[i];
  }
  double mean = static_cast<double>(data.size()) / static_cast<double>(ends.size());
  EXPECT_GT(mean, 0.75 * kSmall.avg_size);
  EXPECT_LT(mean, 1.35 * kSmall.avg_size);
}

TEST(BackupChunker, DefaultParamsStayWithinBounds) {
  std::string data = random_data(20 << 20, 2);
  chunker_params p;
  auto ends = chunk_boundaries(data, p);
  uint64_t start = 0;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    EXPECT_LE(ends[i] - start, p.max_size);
    if (i + 1 < ends.size()) {
      EXPECT_GE(ends[i] - start, p.min_size);
    }
    start = ends[i];
  }
  EXPECT_GE(ends.size(), 8u);
  EXPECT_LE(ends.size(), 40u);
}

TEST(BackupChunker, BoundariesDoNotDependOnHowTheStreamIsFed) {
  std::string data = random_data(3 << 20, 3);
  auto whole = chunk_boundaries(data, kSmall);
  for (std::size_t piece : {1u, 7u, 4096u, 65537u}) {
    chunker c(kSmall);
    std::vector<uint64_t> ends;
    // Feeding byte by byte over 3 MiB is slow under ASan: do that only for a prefix.
    std::size_t limit = piece == 1 ? 300000 : data.size();
    for (std::size_t at = 0; at < limit; at += piece) {
      auto got = c.feed(std::string_view(data).substr(at, std::min(piece, limit - at)));
      ends.insert(ends.end(), got.begin(), got.end());
    }
    auto last = c.finish();
    ends.insert(ends.end(), last.begin(), last.end());
    if (limit == data.size()) {
      EXPECT_EQ(ends, whole) << "piece " << piece;
    } else {
      auto prefix = chunk_boundaries(data.substr(0, limit), kSmall);
      EXPECT_EQ(ends, prefix);
    }
  }
}

TEST(BackupChunker, InsertKeepsMostChunks) {
  std::string data = random_data(16 << 20, 4);
  auto before = chunk_hashes(data, kSmall);
  std::string edited = data;
  edited.insert(edited.size() / 2, "x");
  auto after = chunk_hashes(edited, kSmall);
  std::set<std::string> old(before.begin(), before.end());
  std::size_t changed = 0;
  for (const auto& h : after) {
    changed += old.count(h) == 0;
  }
  // A one-byte insert changes the chunk holding it and, at most, a neighbour.
  EXPECT_LE(changed, 3u) << "of " << after.size();
  EXPECT_GE(after.size(), 100u);
}

TEST(BackupChunker, EmptyStreamHasNoChunkAndShortStreamOne) {
  EXPECT_TRUE(chunk_boundaries("", kSmall).empty());
  EXPECT_EQ(chunk_boundaries("abc", kSmall), std::vector<uint64_t>{3});
  // Equal min and max: fixed-size chunks.
  std::string data = random_data(1000, 5);
  auto ends = chunk_boundaries(data, {100, 100, 100});
  ASSERT_EQ(ends.size(), 10u);
  EXPECT_EQ(ends[0], 100u);
}

}  // namespace
}  // namespace plexichat::storage::backup
