#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backup/backup_keys.hpp"
#include "storage/errc.hpp"

/// A backup's manifest: which files the checkpoint held, which chunks make each file, and
/// what restore needs to find, check and open every chunk. Encoded as JSON (nlohmann-json),
/// then sealed like a chunk (storage/backup/sealing.hpp) under a data key wrapped by the
/// manifest key of the master key. Plain values and functions, safe on any thread.
namespace plexichat::storage::backup {

/// One chunk, as restore needs it.
struct chunk_entry {
  std::string name;                        ///< chunk_name(): HMAC-SHA-256 of the plaintext
  uint64_t size = 0;                       ///< plaintext bytes
  uint64_t sealed_size = 0;                ///< bytes of the sealed chunk the shards rebuild
  int k = 0;                               ///< data shards
  int m = 0;                               ///< parity shards
  std::string backup_id;                   ///< the backup that stored its shards
  std::string wrapped_key;                 ///< its data key, wrapped by the master's KEK
  std::vector<std::string> shard_digests;  ///< k + m shard_digest()s, by index
};

/// One file of the checkpoint: its path relative to the checkpoint's directory ('/'
/// separated, no "." or ".." parts) and its chunks in order (names; a chunk may repeat).
struct file_entry {
  std::string path;
  uint64_t size = 0;
  std::vector<std::string> chunks;
};

struct manifest {
  std::string backup_id;
  int64_t created_ms = 0;  ///< Unix time in milliseconds
  std::string node;        ///< the node backed up
  int k = 2;
  int m = 2;
  std::vector<file_entry> files;
  std::vector<chunk_entry> chunks;  ///< every chunk the files use, once each, by name

  /// The entry of chunk `name`, or nullptr.
  const chunk_entry* find(std::string_view name) const;
};

/// True for a path a manifest may hold: relative, '/' separated, no empty, "." or ".." part,
/// no NUL. Restore writes only such paths, under its target directory.
bool is_safe_relative_path(std::string_view path);

/// The digest of shard `index` of a chunk with `payload`: SHA-256 of the index byte and the
/// payload, so a shard moved to another index or forged does not match. Unkeyed, so
/// it survives master-key rotation; the manifest that holds it is encrypted.
std::string shard_digest(int index, std::string_view payload);

/// The manifest as JSON text (chunk names and digests in hex, wrapped keys in base64url).
std::string to_json_text(const manifest& m);

/// The manifest of `text`, checked whole: corruption when a field is missing or of the
/// wrong type or size, a path is unsafe, a file uses a chunk not listed, or a file's size is
/// not the sum of its chunks'.
[[nodiscard]] result<manifest> manifest_from_json(std::string_view text);

/// `m` sealed under the manifest key of `master`: "PXMF", version 1, the wrapped data key,
/// then the sealed JSON. invalid_argument when master is not 32 bytes.
[[nodiscard]] result<std::string> seal_manifest(const manifest& m, const master_key& master);

/// The manifest of `sealed`. corruption when `master` does not open it (a wrong or rotated
/// key) or any byte was changed, or its JSON is not a valid manifest.
[[nodiscard]] result<manifest> open_manifest(std::string_view sealed, const master_key& master);

/// Master-key rotation of one backup: `sealed` opened with `old_master`, every chunk's data
/// key re-wrapped under `new_master`'s KEK, and the manifest sealed again under
/// `new_master`. The chunks' shards stay as they are; afterwards `old_master` opens neither
/// the new manifest nor (without the old one) any chunk.
[[nodiscard]] result<std::string> rotate_manifest(std::string_view sealed,
                                                  const master_key& old_master,
                                                  const master_key& new_master);

/// The name under which the sealed manifest of `backup_id` is erasure-coded and stored.
std::string manifest_item_name(std::string_view naming_key, std::string_view backup_id);

}  // namespace plexichat::storage::backup
