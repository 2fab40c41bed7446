#include "storage/record_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace plexichat::storage {
namespace {

user_record sample_user() {
  return {"u_1", "alice", "$argon2id$v=19$m=65536$abc", 1700000000123, 4};
}

channel_record sample_channel() {
  return {"c-1", "general", "Everything 🎉 ünïcödé", true, "u_1", -42};
}

message_record sample_message() {
  return {"m1",          "c-1",    123456789012345ULL, "u_1", "Alice", "héllo\nwörld 👋",
          1700000000999, "nonce-7"};
}

// Every proper prefix of a valid encoding must be rejected.
template <class Decode>
void expect_truncations_rejected(const std::string& bytes, Decode decode) {
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode(std::string_view(bytes).substr(0, n))) << "prefix of length " << n;
  }
}

TEST(record_codec, user_round_trips) {
  auto user = sample_user();
  auto decoded = decode_user(encode(user));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, user);
}

TEST(record_codec, channel_round_trips_with_unicode_and_negative_time) {
  auto channel = sample_channel();
  auto decoded = decode_channel(encode(channel));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, channel);
  channel.is_private = false;
  EXPECT_EQ(decode_channel(encode(channel))->is_private, false);
}

TEST(record_codec, member_round_trips) {
  member_record member{"c-1", "u_2", std::numeric_limits<int64_t>::min()};
  auto decoded = decode_member(encode(member));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, member);
}

TEST(record_codec, message_round_trips) {
  auto message = sample_message();
  auto decoded = decode_message(encode(message));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, message);
}

TEST(record_codec, nonce_round_trips_extremes) {
  nonce_record nonce{std::numeric_limits<uint64_t>::max(), std::numeric_limits<int64_t>::max()};
  EXPECT_EQ(*decode_nonce(encode(nonce)), nonce);
  nonce_record zero{};
  EXPECT_EQ(*decode_nonce(encode(zero)), zero);
}

TEST(record_codec, empty_strings_round_trip) {
  EXPECT_EQ(*decode_user(encode(user_record{})), user_record{});
  EXPECT_EQ(*decode_channel(encode(channel_record{})), channel_record{});
  EXPECT_EQ(*decode_member(encode(member_record{})), member_record{});
  EXPECT_EQ(*decode_message(encode(message_record{})), message_record{});
}

TEST(record_codec, long_strings_use_multi_byte_lengths) {
  message_record message = sample_message();
  message.content.assign(300000, 'x');
  message.content[12345] = '\0';
  auto decoded = decode_message(encode(message));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, message);
}

TEST(record_codec, layout_is_the_documented_one) {
  nonce_record nonce{0x0102030405060708ULL, -2};
  EXPECT_EQ(encode(nonce), std::string("\x01\x01\x02\x03\x04\x05\x06\x07\x08"
                                       "\xff\xff\xff\xff\xff\xff\xff\xfe",
                                       17));
  member_record member{"ab", "", 1};
  EXPECT_EQ(encode(member), std::string("\x01\x02"
                                        "ab\x00\x00\x00\x00\x00\x00\x00\x00\x01",
                                        13));
  channel_record channel;
  channel.is_private = true;
  std::string bytes = encode(channel);
  EXPECT_EQ(bytes[4], '\x01');  // version, three empty strings, then the bool
}

TEST(record_codec, a_user_record_from_before_versions_is_version_0) {
  auto user = sample_user();
  auto bytes = encode(user);
  // The version is the record's last 8 bytes; records written before it end without them.
  auto old = decode_user(std::string_view(bytes).substr(0, bytes.size() - 8));
  ASSERT_TRUE(old);
  user.version = 0;
  EXPECT_EQ(*old, user);
}

TEST(record_codec, truncations_are_rejected) {
  auto user = encode(sample_user());
  // Without its last 8 bytes a user record is one of the older format (tested above).
  expect_truncations_rejected(user.substr(0, user.size() - 8), decode_user);
  expect_truncations_rejected(encode(sample_channel()), decode_channel);
  expect_truncations_rejected(encode(member_record{"c", "u", 5}), decode_member);
  expect_truncations_rejected(encode(sample_message()), decode_message);
  expect_truncations_rejected(encode(nonce_record{1, 2}), decode_nonce);
}

TEST(record_codec, trailing_bytes_are_rejected) {
  EXPECT_FALSE(decode_user(encode(sample_user()) + '\0'));
  EXPECT_FALSE(decode_channel(encode(sample_channel()) + 'x'));
  EXPECT_FALSE(decode_member(encode(member_record{}) + 'x'));
  EXPECT_FALSE(decode_message(encode(sample_message()) + "xy"));
  EXPECT_FALSE(decode_nonce(encode(nonce_record{}) + 'x'));
}

TEST(record_codec, unknown_versions_are_rejected) {
  for (char version : {'\x00', '\x02', '\xff'}) {
    std::string bytes = encode(sample_user());
    bytes[0] = version;
    EXPECT_FALSE(decode_user(bytes));
    bytes = encode(nonce_record{});
    bytes[0] = version;
    EXPECT_FALSE(decode_nonce(bytes));
  }
}

TEST(record_codec, bools_other_than_zero_or_one_are_rejected) {
  std::string bytes = encode(channel_record{});
  ASSERT_EQ(bytes[4], '\x00');
  bytes[4] = '\x02';
  EXPECT_FALSE(decode_channel(bytes));
}

TEST(record_codec, overflowing_lengths_are_rejected) {
  // A length varint of 11 bytes, one whose tenth byte sets bits past 64, and a huge length
  // that runs past the end must all fail rather than wrap.
  std::string eleven("\x01", 1);
  eleven += std::string(10, '\xff') + '\x01';
  EXPECT_FALSE(decode_member(eleven));
  std::string tenth_too_big("\x01", 1);
  tenth_too_big += std::string(9, '\x80') + '\x02';
  EXPECT_FALSE(decode_member(tenth_too_big));
  std::string max_length("\x01", 1);
  max_length += std::string(9, '\xff') + '\x01';
  EXPECT_FALSE(decode_member(max_length + "abc"));
  std::string past_end(
      "\x01\x05"
      "abc",
      5);
  EXPECT_FALSE(decode_member(past_end));
}

TEST(record_codec, one_kind_does_not_decode_as_another) {
  EXPECT_FALSE(decode_nonce(encode(sample_user())));
  EXPECT_FALSE(decode_member(encode(sample_message())));
}

}  // namespace
}  // namespace plexichat::storage
