#include "storage/keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace plexichat::storage {
namespace {

TEST(keys, message_keys_sort_by_seq_bytewise) {
  std::vector<uint64_t> seqs = {0, 1, 2, 255, 256, 65536, 1ULL << 40, UINT64_MAX};
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    EXPECT_LT(message_key("c", seqs[i - 1]), message_key("c", seqs[i]))
        << seqs[i - 1] << " vs " << seqs[i];
  }
  // std::string compares as unsigned chars, like RocksDB's bytewise comparator.
  EXPECT_LT(message_key("c", 1), message_key("c", 2));
  EXPECT_LT(message_key("c", 2), message_key("c", 256));
  EXPECT_LT(message_key("c", 256), message_key("c", 1ULL << 40));
}

TEST(keys, message_key_layout) {
  std::string expected("ch\0\0\0\0\0\0\0\x01\x02", 11);
  EXPECT_EQ(message_key("ch", 258), expected);
}

TEST(keys, channel_prefixes_are_isolated) {
  // Every key of "a" sorts before every key of "ab", and inside ["a\0", "a\1").
  EXPECT_LT(message_key("a", UINT64_MAX), message_key("ab", 0));
  EXPECT_LT(message_key("a", UINT64_MAX), key_prefix_end("a"));
  EXPECT_GE(message_key("a", 0), key_prefix("a"));
  EXPECT_GE(message_key("ab", 0), key_prefix_end("a"));
  EXPECT_LT(member_key("a", "zzz"), member_key("ab", "a"));
  EXPECT_LT(nonce_key("a", "zz", "\xff\xff"), nonce_key("ab", "a", "a"));
  EXPECT_FALSE(message_key("ab", 5).starts_with(key_prefix("a")));
}

TEST(keys, message_key_splits_back) {
  // Parts are views into the key, so the key must outlive them.
  const std::string key = message_key("chan-1", 1ULL << 40);
  auto parts = split_message_key(key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->channel_id, "chan-1");
  EXPECT_EQ(parts->seq, 1ULL << 40);
  // A seq whose bytes contain '\0' still splits at the channel's separator.
  const std::string zero = message_key("x", 0);
  parts = split_message_key(zero);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->channel_id, "x");
  EXPECT_EQ(parts->seq, 0u);
}

TEST(keys, malformed_message_keys_are_rejected) {
  EXPECT_FALSE(split_message_key(""));
  EXPECT_FALSE(split_message_key("nochannelseparator"));
  EXPECT_FALSE(split_message_key(message_key("c", 1).substr(0, 9)));
  EXPECT_FALSE(split_message_key(message_key("c", 1) + 'x'));
  EXPECT_FALSE(split_message_key(message_key("", 1)));
}

TEST(keys, member_and_user_channel_keys_split_back) {
  const std::string key = member_key("c_9", "u-7");
  auto member = split_member_key(key);
  ASSERT_TRUE(member);
  EXPECT_EQ(member->channel_id, "c_9");
  EXPECT_EQ(member->user_id, "u-7");
  EXPECT_EQ(user_channels_key("u-7", "c_9"), std::string("u-7\0c_9", 7));
  const std::string reverse_key = user_channels_key("u-7", "c_9");
  auto user_channel = split_user_channels_key(reverse_key);
  ASSERT_TRUE(user_channel);
  EXPECT_EQ(user_channel->user_id, "u-7");
  EXPECT_EQ(user_channel->channel_id, "c_9");
  EXPECT_FALSE(split_member_key("c_9"));
  EXPECT_FALSE(split_member_key(std::string("c\0", 2)));
  EXPECT_FALSE(split_member_key(std::string("\0u", 2)));
  EXPECT_FALSE(split_member_key(std::string("c\0u\0x", 5)));
}

TEST(keys, nonce_keys_split_back_with_any_nonce_bytes) {
  std::string nonce("n\0\xff-1", 5);
  std::string key = nonce_key("c", "author", nonce);
  EXPECT_EQ(key, std::string("c\0author\0", 9) + nonce);
  auto parts = split_nonce_key(key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->channel_id, "c");
  EXPECT_EQ(parts->author_id, "author");
  EXPECT_EQ(parts->nonce, nonce);
  EXPECT_FALSE(split_nonce_key(std::string("c\0author", 8)));
  EXPECT_FALSE(split_nonce_key(std::string("c\0author\0", 9)));
}

TEST(keys, nonce_keys_of_one_author_sort_together) {
  std::vector<std::string> keys = {nonce_key("c", "b", "1"), nonce_key("c", "a", "zz"),
                                   nonce_key("c", "ab", "0"), nonce_key("c", "a", "a")};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys[0], nonce_key("c", "a", "a"));
  EXPECT_EQ(keys[1], nonce_key("c", "a", "zz"));
  EXPECT_EQ(keys[2], nonce_key("c", "ab", "0"));
  EXPECT_EQ(keys[3], nonce_key("c", "b", "1"));
}

}  // namespace
}  // namespace plexichat::storage
