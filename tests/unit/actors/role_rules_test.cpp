// Node roles (role_table) and who may manage a channel (channel_rules).
#include <gtest/gtest.h>

#include "actors/access/role_table.hpp"
#include "actors/channel/channel_rules.hpp"

namespace plexichat::actors {
namespace {

using access::parse_role;
using access::role;
using access::role_table;

TEST(RoleTable, UsersAreUsersUntilGranted) {
  role_table t;
  EXPECT_EQ(t.of("u1"), role::user);
  EXPECT_FALSE(t.is_admin("u1"));
  EXPECT_TRUE(t.set("u1", role::admin));
  EXPECT_FALSE(t.set("u1", role::admin));
  EXPECT_TRUE(t.is_admin("u1"));
  EXPECT_FALSE(t.is_admin("u2"));
  EXPECT_EQ(t.admin_count(), 1u);
  EXPECT_TRUE(t.set("u1", role::user));
  EXPECT_FALSE(t.set("u1", role::user));
  EXPECT_EQ(t.admin_count(), 0u);
}

TEST(RoleTable, LoadsStoredRolesAndIgnoresUnknownNames) {
  role_table t({{"u1", "admin"}, {"u2", "user"}, {"u3", "root"}});
  EXPECT_TRUE(t.is_admin("u1"));
  EXPECT_FALSE(t.is_admin("u2"));
  EXPECT_FALSE(t.is_admin("u3"));
  EXPECT_EQ(t.admin_count(), 1u);
}

TEST(RoleNames, ParseOnlyTheTwoRoles) {
  EXPECT_EQ(parse_role("admin"), role::admin);
  EXPECT_EQ(parse_role("user"), role::user);
  EXPECT_FALSE(parse_role("Admin"));
  EXPECT_FALSE(parse_role(""));
  EXPECT_EQ(access::to_string(role::admin), "admin");
  EXPECT_EQ(access::to_string(role::user), "user");
}

storage::channel_record channel(bool is_private) {
  return {"c1", "room", "", is_private, "owner", 0};
}

api_errc code_of(const std::optional<api_error>& e) {
  return e ? e->code : api_errc::internal;
}

TEST(ChannelRules, UpdateIsForTheOwnerAndAdmins) {
  auto pub = channel(false);
  EXPECT_FALSE(channel::check_update(pub, "owner", true, false));
  EXPECT_FALSE(channel::check_update(pub, "someone", true, true));
  EXPECT_EQ(code_of(channel::check_update(pub, "member", true, false)), api_errc::forbidden);
  // A private channel stays hidden from those who cannot see it.
  EXPECT_EQ(code_of(channel::check_update(channel(true), "stranger", false, false)),
            api_errc::not_found);
  EXPECT_EQ(code_of(channel::check_update(pub, "", true, false)), api_errc::forbidden);
}

TEST(ChannelRules, AnyMemberAddsToPublicOnlyOwnerOrAdminToPrivate) {
  auto pub = channel(false);
  auto priv = channel(true);
  EXPECT_FALSE(channel::check_add(pub, "member", true, true, false));
  EXPECT_EQ(code_of(channel::check_add(pub, "outsider", false, true, false)), api_errc::forbidden);
  EXPECT_FALSE(channel::check_add(priv, "owner", true, true, false));
  EXPECT_FALSE(channel::check_add(priv, "admin", false, false, true));
  EXPECT_EQ(code_of(channel::check_add(priv, "member", true, true, false)), api_errc::forbidden);
  EXPECT_EQ(code_of(channel::check_add(priv, "stranger", false, false, false)),
            api_errc::not_found);
}

TEST(ChannelRules, RemoveIsForTheOwnerAdminsAndOneself) {
  auto pub = channel(false);
  EXPECT_FALSE(channel::check_remove(pub, "owner", "member", true, false));
  EXPECT_FALSE(channel::check_remove(pub, "admin", "member", true, true));
  EXPECT_FALSE(channel::check_remove(pub, "member", "member", true, false));
  EXPECT_EQ(code_of(channel::check_remove(pub, "member", "other", true, false)),
            api_errc::forbidden);
  EXPECT_EQ(code_of(channel::check_remove(channel(true), "stranger", "member", false, false)),
            api_errc::not_found);
}

TEST(ChannelRules, PatchChangesOnlyTheGivenFields) {
  auto rec = channel(false);
  rec.topic = "old";
  auto renamed = channel::patched(rec, {true, "new", false, "ignored"});
  EXPECT_EQ(renamed.name, "new");
  EXPECT_EQ(renamed.topic, "old");
  auto retopiced = channel::patched(rec, {false, "", true, ""});
  EXPECT_EQ(retopiced.name, "room");
  EXPECT_EQ(retopiced.topic, "");
  EXPECT_EQ(retopiced.owner_id, "owner");
}

}  // namespace
}  // namespace plexichat::actors
