#include "storage/backup/backup_pipeline.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "runtime/crypto.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/shard_codec.hpp"
#include "tests/unit/storage/backup_test_data.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::storage::backup {
namespace {

namespace fs = std::filesystem;
using testing::random_data;
using testing::temp_dir;

const chunker_params kSmall{16 * 1024, 64 * 1024, 256 * 1024};

void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// The files under `dir`, relative path -> bytes.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      out[fs::relative(e.path(), dir).generic_string()] = read(e.path());
    }
  }
  return out;
}

/// A directory like a small checkpoint: random SSTs, compressible text, an empty file.
void make_checkpoint(const fs::path& dir) {
  write(dir / "CURRENT", "MANIFEST-000005\n");
  write(dir / "000010.sst", random_data(1500000, 10));
  write(dir / "000011.sst", random_data(300000, 11));
  std::string log;
  for (int i = 0; i < 20000; ++i) {
    log += "{\"channel\":\"c1\",\"seq\":" + std::to_string(i) + ",\"text\":\"hello\"}\n";
  }
  write(dir / "000012.log", log);
  write(dir / "empty", "");
  write(dir / "archive/000001.sst", random_data(100000, 12));
}

backup_options options_for(std::string id) {
  backup_options o;
  o.backup_id = std::move(id);
  o.node = "node-a";
  o.created_ms = 1764140000000;
  o.chunking = kSmall;
  return o;
}

/// Holders' storage in a map: chunk name -> every shard stored under it.
struct fake_holders {
  std::map<std::string, std::vector<std::string>> shards;

  void store(const backup_output& out) {
    for (const auto& item : out.new_chunks) {
      shards[item.name] = item.shards;
    }
  }
};

TEST(BackupPipeline, RestoresBitForBitWithMShardsOfEveryChunkLost) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  master_key master = generate_master_key();
  auto out = back_up_directory(source, master, options_for("b1"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_GT(out.value().new_chunks.size(), 20u);
  EXPECT_EQ(out.value().bytes_read, out.value().new_bytes);
  fake_holders holders;
  holders.store(out.value());
  // Drop m = 2 shards of every chunk, a different pair each time.
  std::size_t turn = 0;
  auto fetch = [&](std::string_view name) {
    auto all = holders.shards.at(std::string(name));
    std::size_t a = turn % 4, b = (turn / 4 + a + 1) % 4;
    ++turn;
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i != a && i != b) {
        kept.push_back(all[i]);
      }
    }
    return kept;
  };
  auto report = restore_directory(out.value().contents, master, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report.value().complete());
  EXPECT_TRUE(report.value().rejected_shards.empty());
  EXPECT_EQ(contents(tmp.path() / "restored"), contents(source));
  EXPECT_TRUE(fs::exists(tmp.path() / "restored" / "empty"));
}

TEST(BackupPipeline, CorruptAndForgedShardsAreDetectedAndOthersUsed) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  master_key master = generate_master_key();
  auto out = back_up_directory(source, master, options_for("b1")).value();
  fake_holders holders;
  holders.store(out);
  for (auto& [name, shards] : holders.shards) {
    shards[0].back() ^= 0x01;  // a flipped bit: the CRC catches it
    // Shard 1's header over shard 2's payload, checksums made afresh: only the manifest's
    // digest catches this one.
    auto forged = decode_shard(shards[2]).value();
    forged.header.index = 1;
    shards[1] = encode_shard(forged.header, forged.payload);
  }
  auto fetch = [&](std::string_view name) { return holders.shards.at(std::string(name)); };
  auto report = restore_directory(out.contents, master, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().complete());
  EXPECT_EQ(report.value().rejected_shards.size(), 2 * holders.shards.size());
  EXPECT_NE(report.value().rejected_shards[0].find("checksum mismatch"), std::string::npos);
  EXPECT_NE(report.value().rejected_shards[1].find("digest"), std::string::npos);
  EXPECT_EQ(contents(tmp.path() / "restored"), contents(source));
}

TEST(BackupPipeline, ReportsExactlyTheChunksItCannotRebuild) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  master_key master = generate_master_key();
  auto out = back_up_directory(source, master, options_for("b1")).value();
  fake_holders holders;
  holders.store(out);
  // Only one shard left of the second chunk of 000011.sst.
  const file_entry* victim_file = nullptr;
  for (const auto& f : out.contents.files) {
    victim_file = f.path == "000011.sst" ? &f : victim_file;
  }
  ASSERT_NE(victim_file, nullptr);
  ASSERT_GE(victim_file->chunks.size(), 2u);
  std::string victim = victim_file->chunks[1];
  holders.shards[victim].resize(1);
  auto fetch = [&](std::string_view name) { return holders.shards.at(std::string(name)); };
  auto report = restore_directory(out.contents, master, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().lost_chunks, std::vector<std::string>{runtime::to_hex(victim)});
  EXPECT_EQ(report.value().incomplete_files, std::vector<std::string>{"000011.sst"});
  auto restored = contents(tmp.path() / "restored");
  auto original = contents(source);
  original.erase("000011.sst");
  EXPECT_EQ(restored, original);
}

TEST(BackupPipeline, SecondBackupAfterASmallChangeStoresFewChunks) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  master_key master = generate_master_key();
  auto first = back_up_directory(source, master, options_for("b1")).value();
  std::string sst = read(source / "000010.sst");
  sst.insert(700000, "a few new bytes");
  write(source / "000010.sst", sst);
  auto second = back_up_directory(source, master, options_for("b2"), &first.contents).value();
  EXPECT_LE(second.new_chunks.size(), 3u);
  EXPECT_LT(second.new_bytes * 5, first.new_bytes);
  fake_holders holders;
  holders.store(first);
  holders.store(second);
  auto fetch = [&](std::string_view name) { return holders.shards.at(std::string(name)); };
  auto report = restore_directory(second.contents, master, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().complete());
  EXPECT_EQ(contents(tmp.path() / "restored"), contents(source));
}

TEST(BackupPipeline, ThreadCountDoesNotChangeWhatIsStoredOrItsOrder) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  write(source / "copy/000010.sst", read(source / "000010.sst"));  // every chunk a duplicate
  master_key master = generate_master_key();
  auto names = [](const backup_output& out) {
    std::vector<std::string> n;
    for (const auto& item : out.new_chunks) {
      n.push_back(item.name);
    }
    return n;
  };
  auto one = options_for("b1");
  one.threads = 1;
  auto three = options_for("b1");
  three.threads = 3;
  auto a = back_up_directory(source, master, one).value();
  auto b = back_up_directory(source, master, three).value();
  EXPECT_EQ(names(a), names(b));
  ASSERT_EQ(a.contents.files.size(), b.contents.files.size());
  for (std::size_t i = 0; i < a.contents.files.size(); ++i) {
    EXPECT_EQ(a.contents.files[i].path, b.contents.files[i].path);
    EXPECT_EQ(a.contents.files[i].chunks, b.contents.files[i].chunks);
  }
  EXPECT_EQ(a.new_bytes, b.new_bytes);
  EXPECT_EQ(a.shard_bytes, b.shard_bytes);
  auto stored = names(b);
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), stored.size());
  fake_holders holders;
  holders.store(b);
  auto fetch = [&](std::string_view name) { return holders.shards.at(std::string(name)); };
  auto report = restore_directory(b.contents, master, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().complete());
  EXPECT_EQ(contents(tmp.path() / "restored"), contents(source));
}

TEST(BackupPipeline, ManifestShardsRebuildTheManifestAndRotationKeepsItRestorable) {
  temp_dir tmp;
  fs::path source = tmp.path() / "checkpoint";
  make_checkpoint(source);
  master_key master = generate_master_key();
  auto out = back_up_directory(source, master, options_for("b1")).value();
  // Any two shards of the manifest item give it back.
  std::map<int, std::string> two;
  for (int i : {1, 3}) {
    auto s = decode_shard(out.manifest_shards.shards[i]).value();
    two.emplace(i, s.payload);
  }
  auto sealed = erasure_coder(2, 2).decode(two, out.sealed_manifest.size());
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed.value(), out.sealed_manifest);
  // Rotate, then restore with the new key only.
  master_key next = generate_master_key();
  auto rotated = rotate_manifest(sealed.value(), master, next);
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE(open_manifest(rotated.value(), master).ok());
  auto m = open_manifest(rotated.value(), next);
  ASSERT_TRUE(m.ok());
  fake_holders holders;
  holders.store(out);
  auto fetch = [&](std::string_view name) { return holders.shards.at(std::string(name)); };
  auto with_old = restore_directory(m.value(), master, fetch, tmp.path() / "old-key");
  ASSERT_TRUE(with_old.ok());
  EXPECT_EQ(with_old.value().lost_chunks.size(), m.value().chunks.size());
  auto report = restore_directory(m.value(), next, fetch, tmp.path() / "restored");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().complete());
  EXPECT_EQ(contents(tmp.path() / "restored"), contents(source));
}

TEST(BackupPipeline, RefusesBadInputsClearly) {
  temp_dir tmp;
  master_key master = generate_master_key();
  auto missing = back_up_directory(tmp.path() / "nope", master, options_for("b1"));
  EXPECT_EQ(missing.error().code, errc::invalid_argument);
  auto o = options_for("");
  EXPECT_EQ(back_up_directory(tmp.path(), master, o).error().code, errc::invalid_argument);
  o = options_for("b1");
  o.k = 0;
  EXPECT_EQ(back_up_directory(tmp.path(), master, o).error().code, errc::invalid_argument);
  fs::create_symlink("/", tmp.path() / "link");
  EXPECT_EQ(back_up_directory(tmp.path(), master, options_for("b1")).error().code,
            errc::invalid_argument);
  write(tmp.path() / "full" / "x", "x");
  auto fetch = [](std::string_view) { return std::vector<std::string>{}; };
  EXPECT_EQ(restore_directory(manifest{}, master, fetch, tmp.path() / "full").error().code,
            errc::invalid_argument);
  manifest escaping;
  escaping.files.push_back({"../outside", 0, {}});
  auto refused = restore_directory(escaping, master, fetch, tmp.path() / "empty-target");
  EXPECT_EQ(refused.error().code, errc::invalid_argument);
  EXPECT_FALSE(fs::exists(tmp.path() / "outside"));
}

}  // namespace
}  // namespace plexichat::storage::backup
