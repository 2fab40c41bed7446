#include "actors/directory/user_index.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::directory {
namespace {

storage::user_record user(const std::string& id, const std::string& name) {
  return {id, name, "$argon2id$hash", 1234};
}

TEST(UserIndexTest, EmptyIndexFindsNothing) {
  user_index index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.by_id("u1"), nullptr);
  EXPECT_EQ(index.by_name("alice"), nullptr);
}

TEST(UserIndexTest, InsertedUserIsFoundByIdAndName) {
  user_index index;
  index.insert(user("u1", "alice"));
  index.insert(user("u2", "bob"));
  EXPECT_EQ(index.size(), 2u);
  ASSERT_NE(index.by_id("u1"), nullptr);
  EXPECT_EQ(*index.by_id("u1"), user("u1", "alice"));
  ASSERT_NE(index.by_name("bob"), nullptr);
  EXPECT_EQ(index.by_name("bob")->id, "u2");
  EXPECT_EQ(index.by_name("carol"), nullptr);
  EXPECT_EQ(index.by_id("alice"), nullptr) << "names are not ids";
  EXPECT_EQ(index.by_name("u1"), nullptr) << "ids are not names";
}

TEST(UserIndexTest, InsertingTheSameUserAgainReplacesIt) {
  user_index index;
  index.insert(user("u1", "alice"));
  auto updated = user("u1", "alice");
  updated.password_hash = "$argon2id$other";
  index.insert(updated);
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.by_name("alice")->password_hash, "$argon2id$other");
}

TEST(UserIndexTest, ReserveRefusesKnownAndReservedNames) {
  user_index index;
  index.insert(user("u1", "alice"));
  EXPECT_FALSE(index.reserve("alice")) << "a known user";
  EXPECT_TRUE(index.reserve("bob"));
  EXPECT_FALSE(index.reserve("bob")) << "a registration already in flight";
  EXPECT_EQ(index.by_name("bob"), nullptr) << "a reservation is not a user";
  EXPECT_EQ(index.size(), 1u);
}

TEST(UserIndexTest, ReleaseFreesTheName) {
  user_index index;
  EXPECT_TRUE(index.reserve("bob"));
  index.release("bob");
  EXPECT_TRUE(index.reserve("bob"));
  index.release("never-reserved");  // harmless
}

TEST(UserIndexTest, RegisteredNameCannotBeReservedAfterRelease) {
  user_index index;
  EXPECT_TRUE(index.reserve("bob"));
  index.release("bob");
  index.insert(user("u2", "bob"));
  EXPECT_FALSE(index.reserve("bob"));
}

}  // namespace
}  // namespace plexichat::actors::directory
