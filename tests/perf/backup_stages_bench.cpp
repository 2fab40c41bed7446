// The backup pipeline's stages on one core, in bytes per second (Google Benchmark): chunking,
// keyed BLAKE2b naming, zstd compression + XChaCha20-Poly1305 sealing, Reed-Solomon coding,
// and a whole back_up_directory and restore_directory. Run from an optimised build:
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLEXICHAT_TESTS=ON
//   cmake --build build/bench --target backup_stages_bench
//   build/bench/tests/perf/backup_stages_bench --benchmark_repetitions=5
//   (add --benchmark_report_aggregates_only=true for medians only)
// The data: half chat-like JSON lines (compressible), half random bytes (incompressible).
// Shards over glibc's mmap threshold are fresh pages each time: erasure_encode with k=2 on
// 1 MiB measures mostly page faults unless run with MALLOC_MMAP_THRESHOLD_=33554432.

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "storage/backup/backup_keys.hpp"
#include "storage/backup/backup_pipeline.hpp"
#include "storage/backup/chunker.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/manifest.hpp"
#include "storage/backup/sealing.hpp"

#include "runtime/crypto.hpp"

namespace {

namespace backup = plexichat::storage::backup;

/// `n` bytes: JSON lines like stored chat messages, then random bytes, half and half.
std::string sample(std::size_t n) {
  std::mt19937_64 gen(42);
  std::string out;
  out.reserve(n);
  for (uint64_t seq = 0; out.size() < n / 2; ++seq) {
    out += R"({"id":"m_)" + std::to_string(gen()) + R"(","channel":"c_general","seq":)" +
           std::to_string(seq) + R"(,"author":"u_)" + std::to_string(gen() % 500) +
           R"(","text":"message number )" + std::to_string(seq) +
           R"( about the release","at":1764140000000})" + "\n";
  }
  while (out.size() < n) {
    uint64_t v = gen();
    out.append(reinterpret_cast<const char*>(&v), std::min<std::size_t>(8, n - out.size()));
  }
  return out;
}

const std::string& data() {
  static const std::string bytes = sample(64 << 20);
  return bytes;
}

/// 1 MiB pieces of the sample, alternating text and random.
std::string piece(std::size_t i) {
  std::size_t half = data().size() / 2;
  std::size_t at = (i % 2 == 0 ? 0 : half) + (i / 2 % 32) * (1 << 20);
  return data().substr(at, 1 << 20);
}

void chunk(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(backup::chunk_boundaries(data(), {}));
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

void name(benchmark::State& state) {
  auto keys = backup::derive_keys(backup::generate_master_key()).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(backup::chunk_name(keys.naming, data()));
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

/// The candidate chunk-name MACs on their own: keyed BLAKE2b-256 (libsodium) and
/// HMAC-SHA-256 (OpenSSL, which uses the CPU's SHA extensions when it has them).
void mac_blake2b(benchmark::State& state) {
  std::string key(32, 'k');
  for (auto _ : state) {
    benchmark::DoNotOptimize(plexichat::runtime::keyed_hash(key, data()));
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

void mac_hmac_sha256(benchmark::State& state) {
  std::string key(32, 'k');
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                  reinterpret_cast<const unsigned char*>(data().data()),
                                  data().size(), out, &n));
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

/// The manifest's digest of each shard (over (k+m)/k times the sealed bytes).
void shard_digest(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(backup::shard_digest(0, data()));
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

void compress_and_seal(benchmark::State& state) {
  auto keys = backup::derive_keys(backup::generate_master_key()).value();
  // Arg 0: chunk_compression (what backups use); else that plain zstd level.
  int level = static_cast<int>(state.range(0));
  backup::zstd_settings zstd =
      level == 0 ? backup::chunk_compression : backup::zstd_settings{level};
  std::size_t i = 0;
  double text_in = 0;
  double text_out = 0;
  for (auto _ : state) {
    auto p = piece(i);
    auto item = backup::seal(backup::sealed_kind::chunk, "n", p, keys.wrapping, zstd);
    if (i++ % 2 == 0) {
      text_in += static_cast<double>(p.size());
      text_out += static_cast<double>(item.value().sealed.size());
    }
  }
  state.SetBytesProcessed(state.iterations() * (1 << 20));
  // sealed / plaintext of the JSON-lines pieces (the others are random bytes)
  state.counters["text_ratio"] = text_out / text_in;
}

void erasure_encode(benchmark::State& state) {
  backup::erasure_coder coder(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::string item = piece(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(coder.encode(item));
  }
  state.SetBytesProcessed(state.iterations() * item.size());
}

/// A directory of four 16 MiB files of the sample, removed at the end.
struct sample_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / "plexichat-backup-bench";

  sample_dir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path / "data");
    for (int f = 0; f < 4; ++f) {
      std::ofstream(path / "data" / ("00000" + std::to_string(f) + ".sst"), std::ios::binary)
          << data().substr(f * (16 << 20), 16 << 20);
    }
  }
  ~sample_dir() { std::filesystem::remove_all(path); }
};

void whole_backup(benchmark::State& state) {
  sample_dir sample;
  auto dir = sample.path / "data";
  auto master = backup::generate_master_key();
  backup::backup_options options;
  options.backup_id = "bench";
  options.node = "bench";
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto out = backup::back_up_directory(dir, master, options);
    benchmark::DoNotOptimize(out);
    state.counters["stored_ratio"] =
        static_cast<double>(out.value().shard_bytes) / static_cast<double>(data().size());
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

/// Restore from the two parity shards of every chunk: the slowest case, every chunk decoded.
void whole_restore(benchmark::State& state) {
  sample_dir sample;
  auto master = backup::generate_master_key();
  backup::backup_options options;
  options.backup_id = "bench";
  options.node = "bench";
  auto out = backup::back_up_directory(sample.path / "data", master, options).value();
  std::map<std::string, std::vector<std::string>> parity;
  for (const auto& item : out.new_chunks) {
    parity[item.name] = {item.shards[2], item.shards[3]};
  }
  auto fetch = [&](std::string_view name) { return parity.at(std::string(name)); };
  int run = 0;
  for (auto _ : state) {
    auto target = sample.path / ("restored-" + std::to_string(run++));
    auto report = backup::restore_directory(out.contents, master, fetch, target);
    benchmark::DoNotOptimize(report);
    state.PauseTiming();
    if (!report.ok() || !report.value().complete()) {
      state.SkipWithError("restore incomplete");
    }
    std::filesystem::remove_all(target);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * data().size());
}

}  // namespace

BENCHMARK(chunk)->Unit(benchmark::kMillisecond);
BENCHMARK(name)->Unit(benchmark::kMillisecond);
BENCHMARK(mac_blake2b)->Unit(benchmark::kMillisecond);
BENCHMARK(mac_hmac_sha256)->Unit(benchmark::kMillisecond);
BENCHMARK(shard_digest)->Unit(benchmark::kMillisecond);
BENCHMARK(compress_and_seal)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);
BENCHMARK(erasure_encode)
    ->Args({2, 2})
    ->Args({3, 2})
    ->Args({4, 2})
    ->Args({8, 4})
    ->Unit(benchmark::kMicrosecond);
// Wall-clock time: back_up_directory runs its stages on several threads.
BENCHMARK(whole_backup)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();
BENCHMARK(whole_restore)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
