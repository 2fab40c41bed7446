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

/// Seals `plaintext` named `name` under a new data key wrapped by `kek` (32 bytes).
/// `level` is the zstd level (1 fast .. 19 small; 3 is zstd's default).
/// invalid_argument for a wrong kek size or a level zstd refuses.
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
