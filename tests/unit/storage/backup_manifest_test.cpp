#include "storage/backup/manifest.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "storage/backup/sealing.hpp"

namespace plexichat::storage::backup {
namespace {

chunk_entry sample_chunk(char fill, uint64_t size, const backup_keys& keys) {
  chunk_entry c;
  c.name = std::string(32, fill);
  c.size = size;
  c.sealed_size = size + 41;
  c.k = 2;
  c.m = 2;
  c.backup_id = "b1";
  c.wrapped_key = seal(sealed_kind::chunk, c.name, "x", keys.wrapping, 3).value().wrapped_key;
  for (int i = 0; i < 4; ++i) {
    c.shard_digests.push_back(shard_digest(i, std::string(1, fill)));
  }
  return c;
}

manifest sample_manifest(const master_key& master) {
  auto keys = derive_keys(master).value();
  manifest m;
  m.backup_id = "b1";
  m.created_ms = 1764140000000;
  m.node = "node-a";
  m.chunks = {sample_chunk('a', 100, keys), sample_chunk('b', 50, keys)};
  m.files = {{"CURRENT", 16 + 0, {}}, {"sub/000001.sst", 250, {}}};
  m.files[0] = {"CURRENT", 100, {std::string(32, 'a')}};
  m.files[1].chunks = {std::string(32, 'a'), std::string(32, 'b'), std::string(32, 'a')};
  return m;
}

void expect_same(const manifest& a, const manifest& b) {
  EXPECT_EQ(a.backup_id, b.backup_id);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.node, b.node);
  EXPECT_EQ(a.k, b.k);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].size, b.files[i].size);
    EXPECT_EQ(a.files[i].chunks, b.files[i].chunks);
  }
  ASSERT_EQ(a.chunks.size(), b.chunks.size());
  for (std::size_t i = 0; i < a.chunks.size(); ++i) {
    EXPECT_EQ(a.chunks[i].name, b.chunks[i].name);
    EXPECT_EQ(a.chunks[i].sealed_size, b.chunks[i].sealed_size);
    EXPECT_EQ(a.chunks[i].wrapped_key, b.chunks[i].wrapped_key);
    EXPECT_EQ(a.chunks[i].shard_digests, b.chunks[i].shard_digests);
  }
}

TEST(BackupManifest, JsonRoundTrip) {
  auto m = sample_manifest(generate_master_key());
  auto back = manifest_from_json(to_json_text(m));
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(m, back.value());
  ASSERT_NE(back.value().find(std::string(32, 'b')), nullptr);
  EXPECT_EQ(back.value().find(std::string(32, 'c')), nullptr);
}

TEST(BackupManifest, InvalidJsonIsRefusedWithAReason) {
  auto m = sample_manifest(generate_master_key());
  auto j = nlohmann::json::parse(to_json_text(m));
  auto refused = [](const nlohmann::json& bad) {
    auto r = manifest_from_json(bad.dump());
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string{} : r.error().message;
  };
  EXPECT_FALSE(manifest_from_json("{").ok());
  for (const char* path : {"../etc/passwd", "/abs", "a//b", "a/./b", ""}) {
    auto bad = j;
    bad["files"][0]["path"] = path;
    EXPECT_NE(refused(bad).find("unsafe file path"), std::string::npos) << path;
  }
  auto bad = j;
  bad["files"][0]["size"] = 99;
  EXPECT_NE(refused(bad).find("not the sum"), std::string::npos);
  bad = j;
  bad["files"][0]["chunks"][0] = std::string(64, 'c');
  EXPECT_NE(refused(bad).find("does not list"), std::string::npos);
  bad = j;
  bad["chunks"][0]["shards"].erase(0);
  EXPECT_NE(refused(bad).find("k + m shard digests"), std::string::npos);
  bad = j;
  bad["chunks"][1]["name"] = bad["chunks"][0]["name"];
  refused(bad);
  bad = j;
  bad.erase("node");
  EXPECT_NE(refused(bad).find("missing \"node\""), std::string::npos);
  bad = j;
  bad["k"] = "two";
  EXPECT_NE(refused(bad).find("wrong type"), std::string::npos);
}

TEST(BackupManifest, SealedOpensOnlyWithItsKeyAndUntouched) {
  master_key master = generate_master_key();
  auto m = sample_manifest(master);
  auto sealed = seal_manifest(m, master);
  ASSERT_TRUE(sealed.ok());
  auto back = open_manifest(sealed.value(), master);
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(m, back.value());
  EXPECT_EQ(open_manifest(sealed.value(), generate_master_key()).error().code, errc::corruption);
  for (std::size_t i = 0; i < sealed.value().size(); i += 7) {
    std::string bad = sealed.value();
    bad[i] ^= 0x10;
    ASSERT_FALSE(open_manifest(bad, master).ok()) << i;
  }
  EXPECT_FALSE(open_manifest(sealed.value().substr(0, 50), master).ok());
}

TEST(BackupManifest, RotationRewrapsEveryKeyAndLocksOutTheOldMaster) {
  master_key old_master = generate_master_key();
  master_key new_master = generate_master_key();
  auto old_keys = derive_keys(old_master).value();
  auto new_keys = derive_keys(new_master).value();
  auto m = sample_manifest(old_master);
  auto chunk = seal(sealed_kind::chunk, m.chunks[0].name, "chunk bytes", old_keys.wrapping, 3);
  m.chunks[0].wrapped_key = chunk.value().wrapped_key;
  auto rotated = rotate_manifest(seal_manifest(m, old_master).value(), old_master, new_master);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_FALSE(open_manifest(rotated.value(), old_master).ok());
  auto opened = open_manifest(rotated.value(), new_master);
  ASSERT_TRUE(opened.ok());
  const auto& entry = opened.value().chunks[0];
  sealed_item moved{chunk.value().sealed, entry.wrapped_key};
  EXPECT_EQ(unseal(sealed_kind::chunk, entry.name, moved, new_keys.wrapping, 100).value(),
            "chunk bytes");
  EXPECT_FALSE(unseal(sealed_kind::chunk, entry.name, moved, old_keys.wrapping, 100).ok());
  // Rotating with the wrong old key fails and says so.
  EXPECT_EQ(rotate_manifest(rotated.value(), old_master, new_master).error().code,
            errc::corruption);
}

TEST(BackupManifest, ItemNameDependsOnBackupAndKey) {
  auto a = derive_keys(generate_master_key()).value();
  auto b = derive_keys(generate_master_key()).value();
  EXPECT_EQ(manifest_item_name(a.naming, "b1"), manifest_item_name(a.naming, "b1"));
  EXPECT_NE(manifest_item_name(a.naming, "b1"), manifest_item_name(a.naming, "b2"));
  EXPECT_NE(manifest_item_name(a.naming, "b1"), manifest_item_name(b.naming, "b1"));
}

}  // namespace
}  // namespace plexichat::storage::backup
