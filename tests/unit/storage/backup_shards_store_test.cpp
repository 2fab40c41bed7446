// The shards column family (held backup shards), its keys, and checkpoints without it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::storage {
namespace {

std::string name32(char c) {
  std::string n(32, c);
  n[5] = '\0';  // a chunk name may hold any byte
  return n;
}

TEST(ShardKeys, SplitGivesThePartsBack) {
  auto key = shard_key("node-a", "b17", name32('x'), 3);
  auto parts = split_shard_key(key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->owner, "node-a");
  EXPECT_EQ(parts->backup_id, "b17");
  EXPECT_EQ(parts->chunk_name, name32('x'));
  EXPECT_EQ(parts->index, 3);
  EXPECT_EQ(key.rfind(shard_key_prefix("node-a", "b17"), 0), 0u);
  EXPECT_FALSE(split_shard_key("no separators"));
}

TEST(ShardStore, PutScanDeleteAndACheckpointWithoutThem) {
  testing::temp_dir dir;
  auto db = database::open({dir.sub("db")}).value();
  write_batch batch;
  batch.put_shard(shard_key("a", "b1", name32('x'), 0), "s0");
  batch.put_shard(shard_key("a", "b1", name32('x'), 1), "s1");
  batch.put_shard(shard_key("ab", "b1", name32('x'), 0), "other owner");
  batch.put_meta("kept", "yes");
  ASSERT_TRUE(db->write(batch, true).ok());
  EXPECT_EQ(db->get_shard(shard_key("a", "b1", name32('x'), 1)), "s1");
  std::vector<std::string> seen;
  db->scan_shards(key_prefix("a"), [&](std::string_view, std::string_view v) {
    seen.emplace_back(v);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"s0", "s1"}));

  ASSERT_TRUE(db->checkpoint_without_shards(dir.sub("ckpt")).ok());
  {
    auto copy = database::open({dir.sub("ckpt"), 8 << 20, false}).value();
    EXPECT_EQ(copy->get_meta("kept"), "yes");
    int n = 0;
    copy->scan_shards("", [&](std::string_view, std::string_view) {
      ++n;
      return true;
    });
    EXPECT_EQ(n, 0);
  }
  // The live database keeps its shards.
  write_batch del;
  del.delete_shard(shard_key("a", "b1", name32('x'), 0));
  ASSERT_TRUE(db->write(del, true).ok());
  EXPECT_FALSE(db->get_shard(shard_key("a", "b1", name32('x'), 0)));
  EXPECT_TRUE(db->get_shard(shard_key("ab", "b1", name32('x'), 0)));
}

}  // namespace
}  // namespace plexichat::storage
