#pragma once

#include <string>
#include <string_view>

#include "storage/errc.hpp"

/// The keys of a node's backups, all derived from its 32-byte master key
/// (crypto_kdf_derive_from_key, context "pxbackup", one subkey id per purpose), and the
/// printable recovery form of the master key. Plain values, safe on any thread.
namespace plexichat::storage::backup {

/// Size of the master key and of every derived key.
inline constexpr std::size_t master_key_bytes = 32;

/// The node's backup master key: 32 secret bytes. Losing it loses every backup.
struct master_key {
  std::string bytes;
};

/// A fresh random master key.
master_key generate_master_key();

/// The subkeys of one master key.
struct backup_keys {
  std::string naming;    ///< keys the chunk names (HMAC-SHA-256), subkey 1
  std::string wrapping;  ///< the key-encryption key that wraps chunk data keys, subkey 2
  std::string manifest;  ///< wraps the manifests' data keys, subkey 3
};

/// The subkeys of `master`, or invalid_argument when it is not 32 bytes.
[[nodiscard]] result<backup_keys> derive_keys(const master_key& master);

/// The chunk name of `plaintext`: its 32-byte HMAC-SHA-256 under `naming_key` (manifest
/// format 2; format 1 used keyed BLAKE2b). Equal contents get equal names (deduplication);
/// without the key a name says nothing about the content.
std::string chunk_name(std::string_view naming_key, std::string_view plaintext);

/// The printable recovery key: "pxk1-" then the key and a 4-byte BLAKE2b check, in lowercase
/// hex groups of 4 characters joined by '-', e.g. "pxk1-3f9a-04c2-...". To print and keep on
/// paper; parse_recovery_key reads it back.
std::string recovery_key_text(const master_key& master);

/// The master key of a recovery key text. Spaces, line breaks and case are ignored, the
/// dashes between groups are optional. invalid_argument for another prefix, a wrong length,
/// a non-hex character, or a check that does not match (a mistyped character).
[[nodiscard]] result<master_key> parse_recovery_key(std::string_view text);

}  // namespace plexichat::storage::backup
