#include "actors/directory/totp.hpp"

#include <gtest/gtest.h>

#include <string>

// TOTP codes against RFC 6238's SHA1 test vectors (Appendix B, key "12345678901234567890"),
// cut to 6 digits: the RFC lists 8-digit codes, whose last 6 digits are the 6-digit code.
namespace plexichat::actors::directory {
namespace {

const std::string kRfcKey = "12345678901234567890";

struct vector_case {
  int64_t time;
  const char* code8;
};

TEST(totp, rfc6238_sha1_vectors) {
  const vector_case cases[] = {{59, "94287082"},         {1111111109, "07081804"},
                               {1111111111, "14050471"}, {1234567890, "89005924"},
                               {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.time);
    EXPECT_EQ(totp_code(kRfcKey, totp_step(c.time)), std::string{c.code8}.substr(2));
  }
}

TEST(totp, steps_are_30_seconds_from_the_epoch) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59), 1);
  EXPECT_EQ(totp_step(-5), 0);
}

TEST(totp, current_and_previous_step_match) {
  const int64_t now = 1111111111;  // step 37037037
  auto step = totp_step(now);
  EXPECT_EQ(totp_match(kRfcKey, "050471", now, -1), step);
  EXPECT_EQ(totp_match(kRfcKey, totp_code(kRfcKey, step - 1), now, -1), step - 1);
}

TEST(totp, older_and_future_steps_do_not_match) {
  const int64_t now = 1111111111;
  auto step = totp_step(now);
  EXPECT_FALSE(totp_match(kRfcKey, totp_code(kRfcKey, step - 2), now, -1));
  EXPECT_FALSE(totp_match(kRfcKey, totp_code(kRfcKey, step + 1), now, -1));
}

TEST(totp, a_step_is_accepted_once) {
  const int64_t now = 1111111111;
  auto step = totp_step(now);
  auto code = totp_code(kRfcKey, step);
  ASSERT_EQ(totp_match(kRfcKey, code, now, -1), step);
  EXPECT_FALSE(totp_match(kRfcKey, code, now, step)) << "replayed within the step";
  EXPECT_FALSE(totp_match(kRfcKey, code, now + 30, step)) << "replayed in the next step";
  // After the current step was used, the previous step's code is refused too.
  EXPECT_FALSE(totp_match(kRfcKey, totp_code(kRfcKey, step - 1), now, step));
}

TEST(totp, malformed_codes_do_not_match) {
  const int64_t now = 1111111111;
  for (const char* bad : {"", "05047", "0504711", "abcdef", "050 471", "14050471"}) {
    EXPECT_FALSE(totp_match(kRfcKey, bad, now, -1)) << bad;
  }
  EXPECT_FALSE(totp_match("another key", "050471", now, -1));
}

TEST(totp, base32_is_rfc4648_without_padding) {
  EXPECT_EQ(base32_encode(kRfcKey), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(base32_encode("f"), "MY");
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode(""), "");
}

TEST(totp, otpauth_uri_names_user_issuer_and_parameters) {
  EXPECT_EQ(otpauth_uri("alice", "GEZDGNBV"),
            "otpauth://totp/PlexiChat:alice?secret=GEZDGNBV&issuer=PlexiChat&algorithm=SHA1&"
            "digits=6&period=30");
}

}  // namespace
}  // namespace plexichat::actors::directory
