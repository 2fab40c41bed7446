// The coordinator's jobs over an in-memory cluster of shard holders: store, index, verify,
// repair, restore.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "actors/backup/backup_jobs.hpp"
#include "runtime/crypto.hpp"
#include "storage/backup/manifest.hpp"
#include "storage/backup/shard_codec.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::actors::backup {
namespace {

namespace fs = std::filesystem;
namespace sb = storage::backup;

/// Holders in memory: node -> (owner, backup id, name, index) -> shard bytes.
class memory_link final : public holder_link {
 public:
  using key = std::tuple<std::string, std::string, std::string, int>;
  std::map<std::string, std::map<key, std::string>> nodes;
  std::set<std::string> down;

  bool put(const std::string& node, const std::string& owner, const std::string& shard) override {
    auto s = sb::decode_shard(shard);
    if (down.count(node) || !s.ok()) {
      return false;
    }
    auto& h = s.value().header;
    nodes[node][{owner, h.backup_id, h.chunk_name, h.index}] = shard;
    return true;
  }
  std::vector<std::string> get(const std::string& node, const std::string& owner,
                               const std::string& backup_id, const std::string& name) override {
    std::vector<std::string> out;
    if (down.count(node)) {
      return out;
    }
    for (auto& [k, v] : nodes[node]) {
      if (std::get<0>(k) == owner && std::get<1>(k) == backup_id && std::get<2>(k) == name) {
        out.push_back(v);
      }
    }
    return out;
  }
  std::optional<std::vector<held_shard>> list(const std::string& node,
                                              const std::string& owner) override {
    if (down.count(node)) {
      return std::nullopt;
    }
    std::vector<held_shard> out;
    for (auto& [k, v] : nodes[node]) {
      if (std::get<0>(k) == owner) {
        out.push_back({std::get<1>(k), std::get<2>(k), static_cast<uint8_t>(std::get<3>(k)),
                       v.size(), sb::decode_shard(v).ok()});
      }
    }
    return out;
  }
  bool remove(const std::string& node, const std::string& owner,
              const std::string& backup_id) override {
    std::erase_if(nodes[node], [&](const auto& e) {
      return std::get<0>(e.first) == owner && std::get<1>(e.first) == backup_id;
    });
    return true;
  }
  std::optional<uint64_t> remove_item(const std::string& node, const std::string& owner,
                                      const std::string& backup_id,
                                      const std::string& name) override {
    if (down.count(node)) {
      return std::nullopt;
    }
    return std::erase_if(nodes[node], [&](const auto& e) {
      return std::get<0>(e.first) == owner && std::get<1>(e.first) == backup_id &&
             std::get<2>(e.first) == name;
    });
  }
  /// Shards held anywhere.
  std::size_t total() const {
    std::size_t n = 0;
    for (const auto& [node, held] : nodes) {
      n += held.size();
    }
    return n;
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class BackupJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(runtime::crypto_init());
    fs::create_directories(src.path() / "db");
    std::ofstream(src.path() / "db" / "000001.sst", std::ios::binary)
        << runtime::random_bytes(300000);
    std::ofstream(src.path() / "audit.key", std::ios::binary) << std::string(32, 'a');
    c.self = "node-a";
    c.peers = {"node-b", "node-c", "node-d", "node-e"};
    c.master = sb::generate_master_key();
    c.link = &link;
  }

  std::string back_up(const std::string& id, std::vector<backup_summary>& index) {
    sb::backup_options o;
    o.backup_id = id;
    o.node = "node-a";
    o.created_ms = 1000 + static_cast<int64_t>(index.size());
    o.chunking = {1024, 4096, 16384};
    auto out = sb::back_up_directory(src.path(), c.master, o);
    EXPECT_TRUE(out.ok()) << out.error().message;
    index.push_back({id, o.created_ms, out.value().bytes_read, out.value().contents.chunks.size(),
                     out.value().new_bytes, out.value().shard_bytes});
    auto s = store_backup(c, out.value(), index);
    EXPECT_TRUE(s.ok()) << s.message;
    return id;
  }

  storage::testing::temp_dir src;
  storage::testing::temp_dir dst;
  memory_link link;
  job_context c;
};

TEST_F(BackupJobs, StoresVerifiesAndRestoresFromKOfTheHolders) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  auto found = fetch_index(c, "node-a");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value(), index);
  auto report = verify_backup(c, "b1", false);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_GT(report.checked, 4u);
  // Two of the four holders gone: k = 2 are left, enough to restore.
  link.down = {"node-b", "node-d"};
  restored_backup got;
  auto restored = restore_backup(c, "node-a", "", dst.path() / "data", &got);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(got.id, "b1");
  EXPECT_EQ(got.index, index);
  EXPECT_TRUE(sb::open_manifest(got.sealed_manifest, c.master).ok());
  EXPECT_TRUE(restored.value().complete());
  EXPECT_EQ(read(dst.path() / "data" / "db" / "000001.sst"),
            read(src.path() / "db" / "000001.sst"));
  EXPECT_EQ(read(dst.path() / "data" / "audit.key"), std::string(32, 'a'));
}

TEST_F(BackupJobs, RefusesWithFewerThanKPlusMPeers) {
  c.peers = {"node-b", "node-c", "node-d"};
  sb::backup_options o;
  o.backup_id = "b1";
  o.node = "node-a";
  auto out = sb::back_up_directory(src.path(), c.master, o);
  ASSERT_TRUE(out.ok());
  auto s = store_backup(c, out.value(), {});
  EXPECT_EQ(s.code, storage::errc::invalid_argument);
  EXPECT_NE(s.message.find("3 are up"), std::string::npos) << s.message;
}

TEST_F(BackupJobs, VerifyReportsCorruptAndMissingShardsAndRepairPutsThemBack) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  // Corrupt one shard of node-b (a payload byte), delete every shard of node-c.
  auto& held = link.nodes["node-b"];
  ASSERT_FALSE(held.empty());
  held.begin()->second.back() ^= 0x5a;
  auto lost = link.nodes["node-c"].size();
  link.nodes["node-c"].clear();
  auto report = verify_backup(c, "b1", false);
  EXPECT_FALSE(report.clean());
  EXPECT_EQ(report.corrupt.size(), 1u);
  // Every shard node-c held is missing, the index's included.
  EXPECT_EQ(report.missing.size(), lost);
  auto repaired = verify_backup(c, "b1", true);
  EXPECT_EQ(repaired.repaired, repaired.missing.size() + repaired.corrupt.size());
  auto again = verify_backup(c, "b1", false);
  EXPECT_TRUE(again.clean()) << again.missing.size() << " missing, " << again.corrupt.size()
                             << " corrupt";
}

TEST_F(BackupJobs, TheNewestIndexWinsAndAWrongKeyFindsNothing) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  back_up("b2", index);
  auto found = fetch_index(c, "node-a");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found.value().size(), 2u);
  EXPECT_EQ(found.value().back().id, "b2");
  auto other = c;
  other.master = sb::generate_master_key();
  EXPECT_FALSE(fetch_index(other, "node-a").ok());
  EXPECT_FALSE(restore_backup(other, "node-a", "", dst.path() / "x").ok());
}

TEST_F(BackupJobs, RotationKeepsOldBackupsRestorableWithTheNewKeyAndTheOldKeyOpensNothing) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  std::ofstream(src.path() / "db" / "000002.sst", std::ios::binary) << runtime::random_bytes(50000);
  back_up("b2", index);
  auto before = link.total();
  auto next = sb::generate_master_key();
  auto rotated = rotate_backups(c, next, index);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  ASSERT_EQ(rotated.value().size(), 2u);
  EXPECT_TRUE(sb::open_manifest(rotated.value().at("b1"), next).ok());
  EXPECT_FALSE(sb::open_manifest(rotated.value().at("b1"), c.master).ok());
  // Until the old items go, both keys find the backups (a crash here loses nothing).
  EXPECT_TRUE(fetch_index(c, "node-a").ok());
  auto deleted = delete_old_key_items(c, index);
  EXPECT_EQ(deleted, 3u * 4u);  // two manifests and the index, k + m shards each
  EXPECT_EQ(link.total(), before + 0u);
  auto old = c;
  auto fresh = c;
  fresh.master = next;
  EXPECT_FALSE(fetch_index(old, "node-a").ok());
  EXPECT_FALSE(fetch_manifest(old, "node-a", "b1").ok());
  EXPECT_FALSE(restore_backup(old, "node-a", "b1", dst.path() / "old").ok());
  auto found = fetch_index(fresh, "node-a");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value(), index);
  // The older backup restores, bit for bit, with the new key; verify is clean.
  auto restored = restore_backup(fresh, "node-a", "b1", dst.path() / "b1");
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_TRUE(restored.value().complete());
  EXPECT_EQ(read(dst.path() / "b1" / "db" / "000001.sst"), read(src.path() / "db" / "000001.sst"));
  EXPECT_FALSE(fs::exists(dst.path() / "b1" / "db" / "000002.sst"));
  auto report = verify_backup(fresh, "b2", false);
  EXPECT_TRUE(report.clean()) << report.error << " " << report.missing.size() << " missing";
}

TEST_F(BackupJobs, RotationStopsWhenAManifestIsLostAndTheOldKeyKeepsWorking) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  link.down = {"node-b", "node-c", "node-d"};  // fewer than k holders of anything left
  auto rotated = rotate_backups(c, sb::generate_master_key(), index);
  EXPECT_FALSE(rotated.ok());
  link.down.clear();
  EXPECT_TRUE(fetch_manifest(c, "node-a", "b1").ok());
}

TEST_F(BackupJobs, FinishRestoreWritesTheKeyAndCatalogButNeverOverAKey) {
  std::vector<backup_summary> index;
  back_up("b1", index);
  restored_backup found;
  auto target = dst.path() / "n";
  ASSERT_TRUE(restore_backup(c, "node-a", "", target, &found).ok());
  auto s = finish_restore(target, c.master, found, true);
  ASSERT_TRUE(s.ok()) << s.message;
  EXPECT_EQ(read(target / "backup_master.key"), c.master.bytes);
  EXPECT_EQ((fs::status(target / "backup_master.key").permissions() & fs::perms::all),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ((fs::status(target / "audit.key").permissions() & fs::perms::all),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(summaries_from_json(read(target / "backups" / "catalog.json")), index);
  EXPECT_TRUE(sb::open_manifest(read(target / "backups" / "b1.manifest"), c.master).ok());
  EXPECT_FALSE(finish_restore(target, c.master, found, true).ok());  // the key exists
}

}  // namespace
}  // namespace plexichat::actors::backup
