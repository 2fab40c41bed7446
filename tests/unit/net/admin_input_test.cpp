// Routing and validation of the account-security routes: admin paths, their queries and
// bodies, channel PATCH and member removal.
#include "tests/unit/net/rest_test_support.hpp"

namespace plexichat::net::rest_test {
namespace {

TEST(AdminRoutes, RouteWithTheirMethods) {
  EXPECT_EQ(accepted("GET", "/api/v1/admin/users").route, rest_route::admin_list_users);
  EXPECT_EQ(accepted("GET", "/api/v1/admin/audit").route, rest_route::admin_audit);
  EXPECT_EQ(accepted("GET", "/api/v1/admin/audit/verify").route, rest_route::admin_audit_verify);
  auto c = accepted("PUT", "/api/v1/admin/users/u1/role", R"({"role":"admin"})");
  EXPECT_EQ(c.route, rest_route::admin_set_role);
  EXPECT_EQ(c.user_id, "u1");
  EXPECT_EQ(c.role, "admin");
  EXPECT_EQ(refused("POST", "/api/v1/admin/audit").status, 405);
  EXPECT_EQ(refused("GET", "/api/v1/admin/users/u1/role").allow, "PUT");
  EXPECT_EQ(refused("GET", "/api/v1/admin").status, 404);
  EXPECT_EQ(refused("GET", "/api/v1/admin/audit/other").status, 404);
}

TEST(AdminRoutes, BackupRoutes) {
  EXPECT_EQ(accepted("GET", "/api/v1/admin/backups").route, rest_route::admin_backups);
  EXPECT_EQ(accepted("POST", "/api/v1/admin/backups").route, rest_route::admin_backup_create);
  auto v = accepted("GET", "/api/v1/admin/backups/b17/verify");
  EXPECT_EQ(v.route, rest_route::admin_backup_verify);
  EXPECT_EQ(v.backup_id, "b17");
  EXPECT_TRUE(v.user_id.empty());
  auto r = accepted("POST", "/api/v1/admin/backups/latest/repair");
  EXPECT_EQ(r.route, rest_route::admin_backup_repair);
  EXPECT_EQ(r.backup_id, "");
  EXPECT_EQ(refused("GET", "/api/v1/admin/backups/latest/repair").allow, "POST");
  EXPECT_EQ(refused("DELETE", "/api/v1/admin/backups").status, 405);
}

TEST(AdminRoutes, ValidateTheRoleBodyAndTheUserId) {
  expect_invalid("PUT", "/api/v1/admin/users/u1/role", json{{"role", "root"}},
                 "role must be \"admin\" or \"user\"");
  expect_invalid("PUT", "/api/v1/admin/users/u1/role", json{{"role", 1}},
                 "field \"role\" must be a string");
  expect_invalid("PUT", "/api/v1/admin/users/u1/role", json::object(), "missing field \"role\"");
  expect_refused("PUT", "/api/v1/admin/users/bad%20id/role", R"({"role":"user"})", 404,
                 api_errc::not_found, "no such user");
}

TEST(AdminRoutes, ReadAfterAndLimit) {
  auto c = accepted("GET", "/api/v1/admin/audit?after=7&limit=1000");
  EXPECT_EQ(c.after, 7u);
  EXPECT_EQ(c.limit, 1000u);
  EXPECT_EQ(accepted("GET", "/api/v1/admin/audit").limit, 100u);
  auto u = accepted("GET", "/api/v1/admin/users?after=u_abc&limit=2");
  EXPECT_EQ(u.cursor, "u_abc");
  EXPECT_EQ(u.limit, 2u);
  for (auto q : {"?limit=0", "?limit=1001", "?limit=x", "?after=-1", "?after="}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(refused("GET", std::string("/api/v1/admin/audit") + q).status, 400);
  }
  EXPECT_EQ(refused("GET", "/api/v1/admin/users?after=a%00b").status, 400);
}

TEST(ChannelManagement, PatchNeedsANameOrATopic) {
  auto c = accepted("PATCH", "/api/v1/channels/c1", R"({"name":"new"})");
  EXPECT_EQ(c.route, rest_route::update_channel);
  EXPECT_TRUE(c.set_name);
  EXPECT_FALSE(c.set_topic);
  auto t = accepted("PATCH", "/api/v1/channels/c1", R"({"topic":""})");
  EXPECT_TRUE(t.set_topic);
  EXPECT_FALSE(t.set_name);
  expect_invalid("PATCH", "/api/v1/channels/c1", json::object(),
                 "give \"name\", \"topic\" or both");
  expect_invalid("PATCH", "/api/v1/channels/c1", json{{"name", ""}},
                 "name must be 1 to 64 characters, got 0");
  EXPECT_EQ(refused("PATCH", "/api/v1/channels/c1", R"({"name":7})").status, 400);
}

TEST(ChannelManagement, RemoveMemberTakesTheUserFromThePath) {
  auto c = accepted("DELETE", "/api/v1/channels/c1/members/u2");
  EXPECT_EQ(c.route, rest_route::remove_member);
  EXPECT_EQ(c.channel_id, "c1");
  EXPECT_EQ(c.user_id, "u2");
  EXPECT_EQ(accepted("DELETE", "/api/v1/channels/c1/members/me").route, rest_route::leave_channel);
  EXPECT_EQ(refused("POST", "/api/v1/channels/c1/members/u2").status, 405);
}

}  // namespace
}  // namespace plexichat::net::rest_test
