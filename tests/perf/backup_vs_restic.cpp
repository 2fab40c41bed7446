// A whole backup of a node's data directory, PlexiChat's pipeline against `restic backup` of
// the same directory in the same run (issue 4). Builds (or reuses) a node data directory: a
// real RocksDB of the node (storage::database, messages written through write_batch),
// checkpointed as the backup coordinator does, plus attachment-like binary files. Then:
//   (a) back_up_directory on it: MB/s, shard bytes;
//   (b) restic init + restic backup of the same directory (skipped when restic is absent);
//   (c) stored bytes / (restic repository bytes * (k+m)/k);
//   (d) 1% of the messages edited, a new checkpoint, a second backup of both: bytes sent.
// Prints a table and writes JSON. Not part of ctest; built on request (EXCLUDE_FROM_ALL):
//   cmake --preset release -DPLEXICHAT_TESTS=ON
//   cmake --build build/release -j1 --target backup_vs_restic
//   build/release/tests/perf/backup_vs_restic --gib 1 --json backup_vs_restic.json
// Options: --gib G (data directory size, default 1), --threads N (pipeline threads, 0: one
// per core), --zstd L (plain zstd level L instead of chunk_compression), --keep DIR (build the
// data in DIR and keep it; reuse it when present), --json FILE. See tests/perf/README.md.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/backup/backup_keys.hpp"
#include "storage/backup/backup_pipeline.hpp"
#include "storage/database.hpp"

namespace {

namespace fs = std::filesystem;
namespace backup = plexichat::storage::backup;
namespace storage = plexichat::storage;
using json = nlohmann::json;

constexpr int kChannels = 400;
constexpr int kUsers = 2000;
constexpr double kBinaryShare = 0.1;  // of the data directory: attachments, incompressible

struct settings {
  double gib = 1.0;
  int threads = 0;
  int zstd_level = -1;  // -1: backup_options' default (chunk_compression), else that level
  std::string keep;
  std::string json_path = "backup_vs_restic.json";
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

uint64_t tree_bytes(const fs::path& dir, std::string_view extension = {}) {
  // RocksDB may delete files while this walks: skip what vanished.
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    bool counted =
        it->is_regular_file(size_ec) && (extension.empty() || it->path().extension() == extension);
    auto size = counted ? it->file_size(size_ec) : 0;
    total += size_ec ? 0 : size;
  }
  return total;
}

const std::vector<std::string>& words() {
  static const std::vector<std::string> w = {
      "the",      "release", "build",   "is",      "green",   "again",  "can",      "you",
      "review",   "my",      "pull",    "request", "lunch",   "at",     "noon",     "deploy",
      "failed",   "on",      "staging", "because", "of",      "a",      "flaky",    "test",
      "thanks",   "I",       "will",    "look",    "into",    "it",     "after",    "standup",
      "meeting",  "moved",   "to",      "3pm",     "ok",      "👍",      "sounds",   "good",
      "latency",  "p99",     "went",    "up",      "since",   "monday", "rollback", "ticket",
      "customer", "asked",   "about",   "export",  "feature", "docs",   "updated",  "link"};
  return w;
}

std::string chat_text(std::mt19937_64& gen) {
  std::string text;
  int n = 3 + static_cast<int>(gen() % 40);
  for (int i = 0; i < n; ++i) {
    if (i > 0) {
      text.push_back(' ');
    }
    text += words()[gen() % words().size()];
  }
  if (gen() % 10 == 0) {  // some messages carry a JSON payload (a link preview, a reaction)
    text += R"( {"preview":{"url":"https://example.com/p/)" + std::to_string(gen() % 100000) +
            R"(","title":"Issue )" + std::to_string(gen() % 5000) + R"("}})";
  }
  return text;
}

storage::message_record make_message(std::mt19937_64& gen, int channel, uint64_t seq, int64_t at) {
  storage::message_record m;
  char id[40];
  std::snprintf(id, sizeof id, "m_%016llx", static_cast<unsigned long long>(gen()));
  m.id = id;
  m.channel_id = "c_" + std::to_string(channel);
  m.seq = seq;
  int user = static_cast<int>(gen() % kUsers);
  m.author_id = "u_" + std::to_string(user);
  m.author = "user" + std::to_string(user);
  m.content = chat_text(gen);
  m.created_at = at;
  m.nonce = std::to_string(gen());
  return m;
}

void check(const storage::status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.message << "\n";
    std::exit(1);
  }
}

std::unique_ptr<storage::database> open_db(const fs::path& dir) {
  auto db = storage::database::open({dir.string(), 32 << 20, true});
  if (!db.ok()) {
    std::cerr << "cannot open " << dir << ": " << db.error().message << "\n";
    std::exit(1);
  }
  return std::move(db.value());
}

/// Writes messages round-robin over the channels, from seq `after` + 1, until the database's
/// table files (what a checkpoint holds, less the WAL) hold `bytes`. Returns the number of
/// messages per channel.
uint64_t fill_messages(storage::database& db, const fs::path& dir, uint64_t after, uint64_t bytes) {
  std::mt19937_64 gen(7 + after);
  uint64_t seq = after;
  int64_t at = 1764140000000 + static_cast<int64_t>(after) * kChannels * 37;
  while (tree_bytes(dir, ".sst") < bytes) {
    for (int round = 0; round < 50; ++round) {
      ++seq;
      storage::write_batch batch;
      for (int c = 0; c < kChannels; ++c) {
        batch.put_message(make_message(gen, c, seq, at += 37));
      }
      check(db.write(batch, false), "write");
    }
  }
  return seq;
}

void write_binary_files(const fs::path& dir, uint64_t bytes) {
  fs::create_directories(dir);
  std::mt19937_64 gen(11);
  uint64_t written = 0;
  for (int f = 0; written < bytes; ++f) {
    uint64_t size = std::min<uint64_t>(bytes - written, (1 + gen() % 16) << 20);
    std::string blob(size, '\0');
    for (std::size_t i = 0; i + 8 <= blob.size(); i += 8) {
      uint64_t v = gen();
      std::memcpy(blob.data() + i, &v, 8);
    }
    std::ofstream(dir / ("attachment-" + std::to_string(f) + ".bin"), std::ios::binary) << blob;
    written += size;
  }
}

/// The node's checkpoint of `live` in `snapshot`/db (replacing an older one).
void checkpoint(storage::database& db, const fs::path& snapshot) {
  fs::remove_all(snapshot / "db");
  check(db.checkpoint_without_shards((snapshot / "db").string()), "checkpoint");
}

/// Edits `fraction` of the messages (content changed, same channel and seq).
uint64_t edit_messages(storage::database& db, uint64_t per_channel, double fraction) {
  std::mt19937_64 gen(99);
  uint64_t total = per_channel * kChannels;
  uint64_t edits = static_cast<uint64_t>(static_cast<double>(total) * fraction);
  storage::write_batch batch;
  for (uint64_t i = 0; i < edits; ++i) {
    int c = static_cast<int>(gen() % kChannels);
    uint64_t seq = 1 + gen() % per_channel;
    batch.put_message(make_message(gen, c, seq, 1764150000000 + static_cast<int64_t>(i)));
    if (batch.size() >= 20000) {
      check(db.write(batch, false), "write");
      batch = storage::write_batch{};
    }
  }
  check(db.write(batch, false), "write");
  return edits;
}

struct plexi_run {
  double seconds = 0;
  backup::backup_output out;
  uint64_t stored() const {
    uint64_t manifest = 0;
    for (const auto& s : out.manifest_shards.shards) {
      manifest += s.size();
    }
    return out.shard_bytes + manifest;
  }
};

plexi_run run_plexichat(const fs::path& snapshot, const backup::master_key& master,
                        const settings& cfg, const backup::manifest* previous,
                        const std::string& id) {
  backup::backup_options options;
  options.backup_id = id;
  options.node = "bench-node";
  options.threads = cfg.threads;
  if (cfg.zstd_level > 0) {
    options.compression = {cfg.zstd_level, 0, 0};
  }
  auto start = std::chrono::steady_clock::now();
  auto out = backup::back_up_directory(snapshot, master, options, previous);
  double s = seconds_since(start);
  check(out.ok() ? storage::status{} : out.error(), "back_up_directory");
  return {s, std::move(out.value())};
}

struct restic_run {
  bool ran = false;
  double seconds = 0;
  uint64_t repo_bytes = 0;
  uint64_t data_added = 0;
};

/// Runs `command`, returns its stdout; exits on failure.
std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  char buf[4096];
  for (std::size_t n; p != nullptr && (n = fread(buf, 1, sizeof buf, p)) > 0;) {
    out.append(buf, n);
  }
  if (p == nullptr || pclose(p) != 0) {
    std::cerr << "failed: " << command << "\n" << out << "\n";
    std::exit(1);
  }
  return out;
}

bool have_restic() {
  return std::system("restic version > /dev/null 2>&1") == 0;
}

restic_run run_restic(const fs::path& repo, const fs::path& snapshot) {
  restic_run r;
  r.ran = true;
  std::string env =
      "RESTIC_PASSWORD=bench RESTIC_CACHE_DIR='" + (repo / ".." / "restic-cache").string() + "' ";
  if (!fs::exists(repo)) {
    run(env + "restic init -q --repo '" + repo.string() + "' 2>&1");
  }
  // Run from the snapshot's parent with a relative path, as the same path both times.
  auto start = std::chrono::steady_clock::now();
  std::string out =
      run("cd '" + snapshot.parent_path().string() + "' && " + env +
          "restic backup --json -q --repo '" + repo.string() + "' " + snapshot.filename().string());
  r.seconds = seconds_since(start);
  r.repo_bytes = tree_bytes(repo);
  for (std::size_t at = 0, nl; at < out.size(); at = nl + 1) {
    nl = out.find('\n', at);
    nl = nl == std::string::npos ? out.size() : nl;
    auto j = json::parse(out.substr(at, nl - at), nullptr, false);
    if (j.is_object() && j.value("message_type", "") == "summary") {
      r.data_added = j.value("data_added", uint64_t{0});
    }
  }
  return r;
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    std::string v = argv[i + 1];
    if (a == "--gib") {
      s.gib = std::stod(v);
    } else if (a == "--threads") {
      s.threads = std::stoi(v);
    } else if (a == "--zstd") {
      s.zstd_level = std::stoi(v);
    } else if (a == "--keep") {
      s.keep = v;
    } else if (a == "--json") {
      s.json_path = v;
    } else {
      std::cerr << "unknown option " << a << "\n";
      std::exit(2);
    }
  }
  return s;
}

double mbps(uint64_t bytes, double seconds) {
  return static_cast<double>(bytes) / 1e6 / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  settings cfg = parse(argc, argv);
  fs::path root;
  if (!cfg.keep.empty()) {
    root = cfg.keep;
    fs::create_directories(root);
  } else {
    std::string pattern = (fs::temp_directory_path() / "plexichat-vs-restic-XXXXXX").string();
    root = mkdtemp(pattern.data());
  }
  fs::path live = root / "live-db";
  fs::path snapshot = root / "node-data";
  uint64_t target = static_cast<uint64_t>(cfg.gib * (1ull << 30));
  auto db = open_db(live);
  uint64_t per_channel = std::stoull(db->get_meta("bench_per_channel").value_or("0"));
  auto sst_target = static_cast<uint64_t>(static_cast<double>(target) * (1 - kBinaryShare));
  if (tree_bytes(live, ".sst") < sst_target) {
    std::cout << "building ~" << cfg.gib << " GiB of node data in " << root << std::endl;
    auto start = std::chrono::steady_clock::now();
    if (!fs::exists(snapshot / "files")) {
      write_binary_files(snapshot / "files", static_cast<uint64_t>(target * kBinaryShare));
    }
    per_channel = fill_messages(*db, live, per_channel, sst_target);
    // The live directory also counts table files a compaction is about to delete: top up
    // until the checkpoint itself holds the target.
    checkpoint(*db, snapshot);
    for (uint64_t held; (held = tree_bytes(snapshot / "db", ".sst")) < sst_target * 0.98;) {
      per_channel =
          fill_messages(*db, live, per_channel, tree_bytes(live, ".sst") + (sst_target - held));
      checkpoint(*db, snapshot);
    }
    storage::write_batch meta;
    meta.put_meta("bench_per_channel", std::to_string(per_channel));
    check(db->write(meta, true), "write");
    std::cout << "  " << per_channel * kChannels << " messages in " << seconds_since(start) << " s"
              << std::endl;
  }
  checkpoint(*db, snapshot);
  // Closed while measuring: RocksDB's background compactions would take a core from both tools.
  db.reset();
  fs::remove_all(root / "restic-repo");
  fs::remove_all(root / "restic-cache");
  uint64_t data_bytes = tree_bytes(snapshot);

  auto master = backup::generate_master_key();
  auto first = run_plexichat(snapshot, master, cfg, nullptr, "first");
  restic_run r1;
  restic_run r2;
  bool restic = have_restic();
  if (restic) {
    r1 = run_restic(root / "restic-repo", snapshot);
  } else {
    std::cout << "restic is not installed: its columns are skipped\n";
  }

  db = open_db(live);
  uint64_t edits = edit_messages(*db, per_channel, 0.01);
  checkpoint(*db, snapshot);
  db.reset();
  uint64_t data_bytes2 = tree_bytes(snapshot);
  auto second = run_plexichat(snapshot, master, cfg, &first.out.contents, "second");
  if (restic) {
    r2 = run_restic(root / "restic-repo", snapshot);
  }

  int k = first.out.contents.k;
  int m = first.out.contents.m;
  double repo_x = restic ? static_cast<double>(r1.repo_bytes) * (k + m) / k : 0;
  json j = {
      {"data_bytes", data_bytes},
      {"messages", per_channel * kChannels},
      {"edited_messages", edits},
      {"k", k},
      {"m", m},
      {"plexichat",
       {{"threads", cfg.threads},
        {"zstd", cfg.zstd_level > 0 ? "level " + std::to_string(cfg.zstd_level)
                                    : std::string("chunk_compression")},
        {"seconds", first.seconds},
        {"mb_per_s", mbps(first.out.bytes_read, first.seconds)},
        {"bytes_read", first.out.bytes_read},
        {"stored_bytes", first.stored()},
        {"second_seconds", second.seconds},
        {"second_bytes_read", second.out.bytes_read},
        {"second_new_plaintext_bytes", second.out.new_bytes},
        {"second_stored_bytes", second.stored()}}},
  };
  if (restic) {
    j["restic"] = {{"seconds", r1.seconds},
                   {"mb_per_s", mbps(data_bytes, r1.seconds)},
                   {"repo_bytes", r1.repo_bytes},
                   {"second_seconds", r2.seconds},
                   {"second_data_added", r2.data_added},
                   {"second_repo_growth", r2.repo_bytes - r1.repo_bytes}};
    j["speedup"] = mbps(first.out.bytes_read, first.seconds) / mbps(data_bytes, r1.seconds);
    j["stored_vs_restic_scaled"] = static_cast<double>(first.stored()) / repo_x;
  }
  std::ofstream(cfg.json_path) << j.dump(2) << "\n";

  std::printf("\ndata directory %.1f MiB (%llu messages), then %llu edited (%.1f MiB)\n",
              data_bytes / 1048576.0, static_cast<unsigned long long>(per_channel * kChannels),
              static_cast<unsigned long long>(edits), data_bytes2 / 1048576.0);
  std::printf("%-22s %10s %14s %16s\n", "", "MB/s", "stored MiB", "2nd backup MiB");
  std::printf("%-22s %10.1f %14.1f %16.1f\n", "plexichat (shards)",
              mbps(first.out.bytes_read, first.seconds), first.stored() / 1048576.0,
              second.stored() / 1048576.0);
  if (restic) {
    std::printf("%-22s %10.1f %14.1f %16.1f\n", "restic (repo, added)",
                mbps(data_bytes, r1.seconds), r1.repo_bytes / 1048576.0, r2.data_added / 1048576.0);
    std::printf("restic's repository grew %.1f MiB in the second backup\n",
                (r2.repo_bytes - r1.repo_bytes) / 1048576.0);
    std::printf("speed-up %.2fx; stored / (restic repo x (k+m)/k) = %.3f\n",
                j["speedup"].get<double>(), j["stored_vs_restic_scaled"].get<double>());
  }
  std::printf("second backup: %.1f MiB of new plaintext chunks\nJSON: %s\n",
              second.out.new_bytes / 1048576.0, cfg.json_path.c_str());
  if (cfg.keep.empty()) {
    fs::remove_all(root);
  }
  return 0;
}
