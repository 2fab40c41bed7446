#include "storage/backup/shard_codec.hpp"

#include <gtest/gtest.h>

#include <isa-l/crc.h>

namespace plexichat::storage::backup {
namespace {

shard_header sample_header(std::string_view payload) {
  shard_header h;
  h.backup_id = "b-2026-11-26";
  h.chunk_name = std::string(32, 'n');
  h.index = 3;
  h.k = 2;
  h.m = 2;
  h.item_length = payload.size() * 2 - 1;
  return h;
}

/// Recomputes the header checksum of `bytes` after a forger edited the header.
void fix_header_crc(std::string& bytes, std::size_t header_bytes) {
  uint32_t crc =
      crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(bytes.data()), header_bytes - 4);
  for (int i = 0; i < 4; ++i) {
    bytes[header_bytes - 4 + i] = static_cast<char>(crc >> (8 * (3 - i)));
  }
}

TEST(BackupShardCodec, RoundTrip) {
  std::string payload = "0123456789";
  auto bytes = encode_shard(sample_header(payload), payload);
  auto s = decode_shard(bytes);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value().payload, payload);
  EXPECT_EQ(s.value().header.backup_id, "b-2026-11-26");
  EXPECT_EQ(s.value().header.chunk_name, std::string(32, 'n'));
  EXPECT_EQ(s.value().header.index, 3);
  EXPECT_EQ(s.value().header.k, 2);
  EXPECT_EQ(s.value().header.m, 2);
  EXPECT_EQ(s.value().header.item_length, 19u);
  EXPECT_EQ(s.value().header.shard_length, 10u);
  EXPECT_EQ(encode_shard(s.value().header, s.value().payload), bytes);
}

TEST(BackupShardCodec, EveryTruncationIsRefused) {
  std::string payload = "0123456789";
  auto bytes = encode_shard(sample_header(payload), payload);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto s = decode_shard(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code, errc::corruption);
  }
  EXPECT_FALSE(decode_shard(bytes + "x").ok());
}

TEST(BackupShardCodec, EveryFlippedBitIsRefused) {
  std::string payload = "0123456789";
  auto bytes = encode_shard(sample_header(payload), payload);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] ^= static_cast<char>(1 << bit);
      ASSERT_FALSE(decode_shard(bad).ok()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(BackupShardCodec, ClearMessages) {
  std::string payload = "0123456789";
  auto bytes = encode_shard(sample_header(payload), payload);
  std::string bad = bytes;
  bad.back() ^= 1;
  EXPECT_EQ(decode_shard(bad).error().message, "invalid backup shard: payload checksum mismatch");
  bad = bytes;
  bad[0] = 'X';
  EXPECT_EQ(decode_shard(bad).error().message, "invalid backup shard: wrong magic");
  bad = bytes;
  bad[4] = 2;
  EXPECT_EQ(decode_shard(bad).error().message, "invalid backup shard: unknown format version 2");
  bad = bytes;
  bad[12] ^= 1;
  EXPECT_EQ(decode_shard(bad).error().message, "invalid backup shard: header checksum mismatch");
}

TEST(BackupShardCodec, ForgedHeadersWithFixedChecksumsAreRefusedWhenInconsistent) {
  std::string payload = "0123456789";
  auto h = sample_header(payload);
  auto bytes = encode_shard(h, payload);
  std::size_t header_bytes = bytes.size() - payload.size();
  std::string bad = bytes;
  bad[7] = 4;  // index 4 with k + m = 4
  fix_header_crc(bad, header_bytes);
  EXPECT_EQ(decode_shard(bad).error().message,
            "invalid backup shard: index 4 is not below k + m = 4");
  bad = bytes;
  bad[5] = 0;  // k = 0
  fix_header_crc(bad, header_bytes);
  EXPECT_FALSE(decode_shard(bad).ok());
  bad = bytes;
  bad[5] = 3;  // k = 3 no longer fits item length 19 and shard length 10
  fix_header_crc(bad, header_bytes);
  EXPECT_NE(decode_shard(bad).error().message.find("does not fit"), std::string::npos);
  bad = bytes;
  bad[8] = 0;  // empty backup id
  EXPECT_FALSE(decode_shard(bad).ok());
  bad = bytes;
  bad[8] = 65;  // overlong backup id
  EXPECT_FALSE(decode_shard(bad).ok());
}

}  // namespace
}  // namespace plexichat::storage::backup
