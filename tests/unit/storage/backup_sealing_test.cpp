#include "storage/backup/sealing.hpp"

#include <gtest/gtest.h>

#include "runtime/crypto.hpp"
#include "storage/backup/backup_keys.hpp"
#include "storage/backup/manifest.hpp"
#include "tests/unit/storage/backup_test_data.hpp"

namespace plexichat::storage::backup {
namespace {

using testing::random_data;

backup_keys keys_of(const master_key& m) {
  auto k = derive_keys(m);
  EXPECT_TRUE(k.ok());
  return k.value();
}

TEST(BackupKeys, SubkeysAreDistinctAndDeterministic) {
  master_key master = generate_master_key();
  auto a = keys_of(master);
  auto b = keys_of(master);
  EXPECT_EQ(a.naming, b.naming);
  EXPECT_EQ(a.wrapping.size(), 32u);
  EXPECT_NE(a.naming, a.wrapping);
  EXPECT_NE(a.wrapping, a.manifest);
  EXPECT_NE(a.naming, master.bytes);
  EXPECT_NE(keys_of(generate_master_key()).naming, a.naming);
  EXPECT_EQ(derive_keys(master_key{"short"}).error().code, errc::invalid_argument);
}

TEST(BackupKeys, ChunkNamesAreKeyed) {
  auto a = keys_of(generate_master_key());
  auto b = keys_of(generate_master_key());
  EXPECT_EQ(chunk_name(a.naming, "data"), chunk_name(a.naming, "data"));
  EXPECT_EQ(chunk_name(a.naming, "data").size(), 32u);
  EXPECT_NE(chunk_name(a.naming, "data"), chunk_name(b.naming, "data"));
  EXPECT_NE(chunk_name(a.naming, "data"), chunk_name(a.naming, "date"));
}

TEST(BackupKeys, ChunkNamesAreHmacSha256AndShardDigestsSha256) {
  // RFC 4231 test case 2.
  EXPECT_EQ(runtime::to_hex(chunk_name("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // SHA-256 of the bytes 01 'a' 'b' 'c'.
  EXPECT_EQ(runtime::to_hex(shard_digest(1, "abc")),
            "1e18834c426d00e57788444cb3ccd62c771b420c095bb0c4e040a8c122c4570d");
}

TEST(BackupKeys, RecoveryKeyRoundTripsAndCatchesTypos) {
  master_key master = generate_master_key();
  std::string text = recovery_key_text(master);
  EXPECT_EQ(text.rfind("pxk1-", 0), 0u);
  EXPECT_EQ(text.size(), 4u + 18u * 5u);
  auto back = parse_recovery_key(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().bytes, master.bytes);
  // Case, spaces and line breaks do not matter; dashes are optional.
  std::string loose;
  for (char c : text) {
    loose += c == '-' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  ASSERT_TRUE(parse_recovery_key(loose + "\n").ok());
  EXPECT_EQ(parse_recovery_key(loose).value().bytes, master.bytes);
  std::string typo = text;
  typo[10] = typo[10] == '0' ? '1' : '0';
  EXPECT_EQ(parse_recovery_key(typo).error().code, errc::invalid_argument);
  EXPECT_NE(parse_recovery_key(typo).error().message.find("mistyped"), std::string::npos);
  EXPECT_FALSE(parse_recovery_key(text.substr(0, text.size() - 1)).ok());
  EXPECT_FALSE(parse_recovery_key("pxk2" + text.substr(4)).ok());
  std::string nonhex = text;
  nonhex[6] = 'g';
  EXPECT_FALSE(parse_recovery_key(nonhex).ok());
}

TEST(BackupSealing, RoundTripCompressesAndHidesPlaintext) {
  auto keys = keys_of(generate_master_key());
  std::string plain(200000, 'a');
  auto item = seal(sealed_kind::chunk, "name", plain, keys.wrapping, 3);
  ASSERT_TRUE(item.ok());
  EXPECT_LT(item.value().sealed.size(), 1000u);
  EXPECT_EQ(item.value().wrapped_key.size(), wrapped_key_bytes);
  auto back = unseal(sealed_kind::chunk, "name", item.value(), keys.wrapping, plain.size());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), plain);
  // Fresh data key and nonce each time.
  auto again = seal(sealed_kind::chunk, "name", plain, keys.wrapping, 3);
  EXPECT_NE(again.value().sealed, item.value().sealed);
  EXPECT_NE(again.value().wrapped_key, item.value().wrapped_key);
}

TEST(BackupSealing, ChunkCompressionRoundTripsAndBadSettingsAreRefused) {
  auto keys = keys_of(generate_master_key());
  std::string plain = random_data(100000, 3) + std::string(100000, 'x');
  auto item = seal(sealed_kind::chunk, "name", plain, keys.wrapping, chunk_compression);
  ASSERT_TRUE(item.ok());
  EXPECT_LT(item.value().sealed.size(), 110000u);
  auto back = unseal(sealed_kind::chunk, "name", item.value(), keys.wrapping, plain.size());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), plain);
  EXPECT_EQ(
      seal(sealed_kind::chunk, "name", plain, keys.wrapping, zstd_settings{1, 99, 0}).error().code,
      errc::invalid_argument);
  EXPECT_EQ(seal(sealed_kind::chunk, "name", plain, keys.wrapping, 0).error().code,
            errc::invalid_argument);
}

TEST(BackupSealing, EveryChangedByteIsDetected) {
  auto keys = keys_of(generate_master_key());
  std::string plain = random_data(3000, 1);
  auto item = seal(sealed_kind::chunk, "name", plain, keys.wrapping, 1).value();
  for (std::size_t i = 0; i < item.sealed.size(); ++i) {
    auto bad = item;
    bad.sealed[i] ^= 0x01;
    auto r = unseal(sealed_kind::chunk, "name", bad, keys.wrapping, plain.size());
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().code, errc::corruption);
  }
  for (std::size_t i = 0; i < item.wrapped_key.size(); ++i) {
    auto bad = item;
    bad.wrapped_key[i] ^= 0x80;
    ASSERT_FALSE(unseal(sealed_kind::chunk, "name", bad, keys.wrapping, plain.size()).ok());
  }
  auto truncated = item;
  truncated.sealed.pop_back();
  EXPECT_FALSE(unseal(sealed_kind::chunk, "name", truncated, keys.wrapping, 1 << 20).ok());
}

TEST(BackupSealing, NameKindAndKeyAreBound) {
  auto keys = keys_of(generate_master_key());
  auto other = keys_of(generate_master_key());
  auto item = seal(sealed_kind::chunk, "name", "hello", keys.wrapping, 3).value();
  EXPECT_FALSE(unseal(sealed_kind::chunk, "other", item, keys.wrapping, 100).ok());
  EXPECT_FALSE(unseal(sealed_kind::manifest, "name", item, keys.wrapping, 100).ok());
  auto wrong_key = unseal(sealed_kind::chunk, "name", item, other.wrapping, 100);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_NE(wrong_key.error().message.find("fails authentication"), std::string::npos);
  // A sealed chunk with another chunk's wrapped key does not open either.
  auto second = seal(sealed_kind::chunk, "name", "hello", keys.wrapping, 3).value();
  EXPECT_FALSE(
      unseal(sealed_kind::chunk, "name", {item.sealed, second.wrapped_key}, keys.wrapping, 100)
          .ok());
  // More than max_size after decompression is refused.
  EXPECT_FALSE(unseal(sealed_kind::chunk, "name", item, keys.wrapping, 4).ok());
  EXPECT_EQ(seal(sealed_kind::chunk, "n", "x", keys.wrapping, 99).error().code,
            errc::invalid_argument);
}

TEST(BackupSealing, RewrapMovesTheKeyToTheNewKek) {
  auto old_keys = keys_of(generate_master_key());
  auto new_keys = keys_of(generate_master_key());
  auto item = seal(sealed_kind::chunk, "name", "payload", old_keys.wrapping, 3).value();
  auto rewrapped =
      rewrap(sealed_kind::chunk, "name", item.wrapped_key, old_keys.wrapping, new_keys.wrapping);
  ASSERT_TRUE(rewrapped.ok());
  sealed_item moved{item.sealed, rewrapped.value()};
  EXPECT_EQ(unseal(sealed_kind::chunk, "name", moved, new_keys.wrapping, 100).value(), "payload");
  EXPECT_FALSE(unseal(sealed_kind::chunk, "name", moved, old_keys.wrapping, 100).ok());
  EXPECT_FALSE(
      rewrap(sealed_kind::chunk, "name", item.wrapped_key, new_keys.wrapping, old_keys.wrapping)
          .ok());
}

}  // namespace
}  // namespace plexichat::storage::backup
