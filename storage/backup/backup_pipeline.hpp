#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backup/backup_keys.hpp"
#include "storage/backup/chunker.hpp"
#include "storage/backup/manifest.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/errc.hpp"

/// The backup pipeline as plain functions: a directory (a RocksDB checkpoint) in, a sealed
/// manifest and the shards of its new chunks out; and back. The backup actors
/// (actors/backup/) place and move the shards; everything they compute is here.
/// Blocking file I/O and CPU-heavy: run off the actor scheduler threads.
namespace plexichat::storage::backup {

struct backup_options {
  std::string backup_id;  ///< 1..64 bytes, unique per node
  std::string node;
  int64_t created_ms = 0;
  int k = 2;
  int m = 2;
  chunker_params chunking;
  zstd_settings compression = chunk_compression;  ///< of chunks (sealing.hpp)
  /// Threads that name, seal and code chunks (the calling thread reads and chunks, and is one
  /// of them); 0: one per core. Output does not depend on it.
  int threads = 0;
};

/// The encoded shards (shard_codec.hpp) of one sealed item, by index.
struct item_shards {
  std::string name;
  std::vector<std::string> shards;
};

struct backup_output {
  manifest contents;
  std::string sealed_manifest;
  item_shards manifest_shards;          ///< sealed_manifest erasure-coded, under manifest_item_name
  std::vector<item_shards> new_chunks;  ///< only chunks that neither `previous` nor an earlier
                                        ///< file of this backup holds
  uint64_t bytes_read = 0;              ///< plaintext bytes of every file
  uint64_t new_bytes = 0;               ///< plaintext bytes of new_chunks
  uint64_t shard_bytes = 0;             ///< encoded bytes of new_chunks' shards
};

/// Backs up every regular file under `dir`. Chunks already in `previous` (an earlier
/// manifest of this node, or nullptr) are listed again but not stored again.
/// invalid_argument for bad options, a missing directory or an entry that is neither a
/// regular file nor a directory (a symbolic link); io_error when a file cannot be read.
[[nodiscard]] result<backup_output> back_up_directory(const std::filesystem::path& dir,
                                                      const master_key& master,
                                                      const backup_options& options,
                                                      const manifest* previous = nullptr);

/// Whatever shards of chunk `name` the holders returned, in any order; some may be missing,
/// corrupt or forged.
using shard_fetch = std::function<std::vector<std::string>(std::string_view name)>;

/// The plaintext of chunk `entry` from `shards`: each shard is decoded and checked against
/// the entry (name, counts, lengths, digest by index) and dropped when it does not match;
/// any k good ones rebuild the sealed chunk, which must then open under `master`.
/// corruption saying why when it cannot; `rejected` gets one line per dropped shard.
[[nodiscard]] result<std::string> rebuild_chunk(const chunk_entry& entry,
                                                const std::vector<std::string>& shards,
                                                const master_key& master,
                                                std::vector<std::string>* rejected = nullptr);

struct restore_report {
  std::vector<std::string> lost_chunks;       ///< hex names of chunks not rebuilt
  std::vector<std::string> incomplete_files;  ///< files not written because of them
  std::vector<std::string> rejected_shards;   ///< one line per shard dropped, and why
  uint64_t bytes_written = 0;

  bool complete() const { return lost_chunks.empty(); }
};

/// Writes the files of `m` under `target` (absent or an empty directory), each chunk
/// rebuilt from `fetch`. A file with a lost chunk is not written; the report names it and
/// the chunk. invalid_argument for a non-empty target, io_error when writing fails.
[[nodiscard]] result<restore_report> restore_directory(const manifest& m, const master_key& master,
                                                       const shard_fetch& fetch,
                                                       const std::filesystem::path& target);

}  // namespace plexichat::storage::backup
