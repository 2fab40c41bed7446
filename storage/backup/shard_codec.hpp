#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/errc.hpp"

/// The binary form of one erasure-coded shard as holders store it: a versioned header with
/// CRC-32 checksums (ISA-L), then the payload. Holders check a shard with decode_shard alone,
/// without any key; restore also compares the shard with the manifest's digest of it.
/// Plain functions, safe on any thread.
namespace plexichat::storage::backup {

/// The header's fields.
struct shard_header {
  std::string backup_id;      ///< the backup that first stored the chunk, 1..64 bytes
  std::string chunk_name;     ///< 32 bytes
  uint8_t index = 0;          ///< < k + m; < k: data, else parity
  uint8_t k = 0;              ///< data shards of the chunk, >= 1
  uint8_t m = 0;              ///< parity shards, >= 1
  uint64_t item_length = 0;   ///< length of the sealed chunk the shards rebuild
  uint32_t shard_length = 0;  ///< payload bytes: ceil(item_length / k), at least 1
  uint32_t payload_crc = 0;   ///< CRC-32 (gzip's, crc32_gzip_refl) of the payload
};

/// A decoded shard.
struct shard {
  shard_header header;
  std::string payload;
};

/// Layout, integers big-endian:
///   "PXSH" | version 1 | k | m | index | backup id length (1 byte) | backup id | chunk name (32)
///   | item length (8) | shard length (4) | payload CRC-32 (4) | header CRC-32 (4) | payload
/// The header CRC covers every header byte before it.
inline constexpr std::size_t max_backup_id_bytes = 64;
inline constexpr std::size_t chunk_name_bytes = 32;
inline constexpr uint8_t shard_format_version = 1;

/// The bytes of `s`, with shard_length and payload_crc computed from the payload (the header's
/// own values are ignored). The caller keeps the fields in range (a valid id, name and counts).
std::string encode_shard(const shard_header& header, std::string_view payload);

/// The shard in `bytes`, or corruption with a message saying what is wrong: too short or
/// truncated, trailing bytes, wrong magic, an unknown version, counts out of range (k, m,
/// index), an empty or overlong backup id, a shard length that does not fit item length and
/// k, a header or payload checksum mismatch.
[[nodiscard]] result<shard> decode_shard(std::string_view bytes);

}  // namespace plexichat::storage::backup
