#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "storage/errc.hpp"

/// Sealing of backup chunks and manifests: zstd-compressed, then encrypted with
/// XChaCha20-Poly1305 (IETF) under a fresh random data key; the data key is wrapped (the same
/// AEAD) by a key-encryption key, and both AEADs bind the item's name, so a sealed item or a
/// wrapped key moved to another name does not open. Plain functions, safe on any thread.
namespace plexichat::storage::backup {

/// What kind of item is sealed: part of the associated data, so a chunk never opens as a
/// manifest or the other way round.
enum class sealed_kind : char { chunk = 'c', manifest = 'm' };

/// A sealed item: `sealed` goes to the shard holders, `wrapped_key` into the manifest (for a
/// chunk) or in front of the sealed manifest.
struct sealed_item {
  std::string sealed;       ///< version byte, nonce, zstd frame encrypted, tag
  std::string wrapped_key;  ///< version byte, nonce, data key encrypted, tag
};

/// Size of a wrapped data key.
inline constexpr std::size_t wrapped_key_bytes = 1 + 32 + 40;

/// How a sealed item is compressed: a zstd level (1 fast .. 19 small; 3 is zstd's default)
/// and, when not 0, two of its parameters set over the level's own (ZSTD_c_minMatch 3..7,
/// ZSTD_c_hashLog 6..30). Any setting gives a standard zstd frame: unseal needs none of it.
struct zstd_settings {
  int level = 3;
  int min_match = 0;
  int hash_log = 0;
};

/// The settings backups use for chunks. Measured on a node's RocksDB table files (already
/// Snappy-compressed blocks; tests/perf/README.md): level 1 with matches from 4 bytes and a
/// 2^15 hash table compresses them as small as level 3 (x1.304 against x1.303) at 1.7 times
/// its speed.
inline constexpr zstd_settings chunk_compression{1, 4, 15};

/// Seals `plaintext` named `name` under a new data key wrapped by `kek` (32 bytes),
/// compressed with `zstd`. invalid_argument for a wrong kek size or settings zstd refuses.
[[nodiscard]] result<sealed_item> seal(sealed_kind kind, std::string_view name,
                                       std::string_view plaintext, std::string_view kek,
                                       const zstd_settings& zstd);

/// seal() at zstd `level` with its own parameters.
[[nodiscard]] result<sealed_item> seal(sealed_kind kind, std::string_view name,
                                       std::string_view plaintext, std::string_view kek, int level);

/// The plaintext of `item`, which must decompress to at most `max_size` bytes.
/// corruption ("... fails authentication") when the key, the name, the kind or any byte of
/// either part is wrong; corruption too for a frame that does not decompress within max_size.
/// Never returns unauthenticated bytes.
[[nodiscard]] result<std::string> unseal(sealed_kind kind, std::string_view name,
                                         const sealed_item& item, std::string_view kek,
                                         std::size_t max_size);

/// `wrapped_key` (of item `name`) unwrapped with `old_kek` and wrapped again with `new_kek`:
/// master-key rotation, the sealed data untouched. corruption when old_kek does not open it.
[[nodiscard]] result<std::string> rewrap(sealed_kind kind, std::string_view name,
                                         std::string_view wrapped_key, std::string_view old_kek,
                                         std::string_view new_kek);

}  // namespace plexichat::storage::backup
