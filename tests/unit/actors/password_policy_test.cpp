#include "actors/directory/password_policy.hpp"

#include <gtest/gtest.h>

#include <string>

// libpwquality with cracklib's dictionary (Debian's cracklib-runtime).
namespace plexichat::actors::directory {
namespace {

TEST(password_policy, accepts_a_long_passphrase) {
  password_policy policy{8, 30};
  EXPECT_EQ(policy.check("correct horse battery", "alice"), std::nullopt);
  EXPECT_EQ(policy.check("Tr0ub4dor&3-xyzzy-plover", "alice"), std::nullopt);
}

TEST(password_policy, refuses_weak_passwords_saying_why) {
  password_policy policy{8, 30};
  auto digits = policy.check("12345678", "alice");
  ASSERT_TRUE(digits);
  EXPECT_EQ(digits->rfind("password refused: ", 0), 0u) << *digits;
  EXPECT_GT(digits->size(), std::string{"password refused: "}.size() + 10) << *digits;

  auto word = policy.check("password", "alice");
  ASSERT_TRUE(word);
  EXPECT_NE(word->find("dictionary"), std::string::npos) << *word;

  auto short_one = policy.check("x7#Qp", "alice");
  ASSERT_TRUE(short_one);
  EXPECT_NE(short_one->find("shorter"), std::string::npos) << *short_one;
}

TEST(password_policy, refuses_the_username_in_the_password) {
  password_policy policy{8, 30};
  auto r = policy.check("maximilian-2024", "maximilian");
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("user name"), std::string::npos) << *r;
}

TEST(password_policy, refuses_a_new_password_like_the_old) {
  password_policy policy{8, 30};
  EXPECT_TRUE(policy.check("correct horse battery", "alice", "correct horse battery"));
  EXPECT_EQ(policy.check("violet lamp under stairs", "alice", "correct horse battery"),
            std::nullopt);
}

TEST(password_policy, a_score_below_the_minimum_is_refused_with_the_score) {
  password_policy strict{8, 100};
  auto r = strict.check("Zebra-Moon-7", "alice");
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("at least 100 is needed"), std::string::npos) << *r;
  password_policy lax{8, 0};
  EXPECT_EQ(lax.check("Zebra-Moon-7", "alice"), std::nullopt);
}

TEST(password_policy, refuses_a_nul_character) {
  password_policy policy{8, 30};
  auto r = policy.check(std::string("correct horse\0battery", 21), "alice");
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("NUL"), std::string::npos);
}

}  // namespace
}  // namespace plexichat::actors::directory
