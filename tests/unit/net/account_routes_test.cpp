#include <gtest/gtest.h>

#include <string>

#include "net/account_bodies.hpp"
#include "tests/unit/net/rest_test_support.hpp"

// parse_rest for the account-security routes: second factor, password change, sessions.
namespace plexichat::net {
namespace {

using namespace rest_test;

TEST(AccountRoutes, RoutesAndMethods) {
  EXPECT_EQ(accepted("GET", "/api/v1/auth/mfa").route, rest_route::mfa_status);
  EXPECT_EQ(accepted("POST", "/api/v1/auth/mfa/totp/enroll").route, rest_route::totp_enroll);
  EXPECT_EQ(accepted("POST", "/api/v1/auth/mfa/totp/confirm", R"({"code":"123456"})").route,
            rest_route::totp_confirm);
  EXPECT_EQ(
      accepted("POST", "/api/v1/auth/mfa/totp/disable", R"({"password":"p","code":"1"})").route,
      rest_route::totp_disable);
  EXPECT_EQ(accepted("GET", "/api/v1/auth/sessions").route, rest_route::list_sessions);
  EXPECT_EQ(accepted("DELETE", "/api/v1/auth/sessions").route, rest_route::revoke_sessions);
  auto one = accepted("DELETE", "/api/v1/auth/sessions/tabc_12");
  EXPECT_EQ(one.route, rest_route::revoke_session);
  EXPECT_EQ(one.session_id, "tabc_12");
  EXPECT_EQ(refused("POST", "/api/v1/auth/sessions").allow, "GET, DELETE");
  EXPECT_EQ(refused("GET", "/api/v1/auth/mfa/totp/enroll").status, 405);
  EXPECT_EQ(refused("GET", "/api/v1/auth/mfa/totp/other").status, 404);
  expect_refused("DELETE", "/api/v1/auth/sessions/bad%20id", "", 404, api_errc::not_found,
                 "no such session");
}

TEST(AccountRoutes, RevokeAllTakesKeepCurrent) {
  EXPECT_FALSE(accepted("DELETE", "/api/v1/auth/sessions").keep_current);
  EXPECT_TRUE(accepted("DELETE", "/api/v1/auth/sessions?keep_current=true").keep_current);
  EXPECT_FALSE(accepted("DELETE", "/api/v1/auth/sessions?x=1&keep_current=false").keep_current);
  expect_refused("DELETE", "/api/v1/auth/sessions?keep_current=yes", "", 400,
                 api_errc::invalid_request, "keep_current must be true or false");
}

TEST(AccountRoutes, LoginCarriesTheOtp) {
  auto c = accepted("POST", "/api/v1/auth/login",
                    R"({"username":"Alice","password":"pw","otp":"123456"})");
  EXPECT_EQ(c.otp, "123456");
  EXPECT_EQ(accepted("POST", "/api/v1/auth/login", R"({"username":"alice","password":"pw"})").otp,
            "");
  expect_invalid("POST", "/api/v1/auth/login",
                 {{"username", "alice"}, {"password", "pw"}, {"otp", 5}},
                 "field \"otp\" must be a string");
  expect_invalid("POST", "/api/v1/auth/login",
                 {{"username", "alice"}, {"password", "pw"}, {"otp", repeat("1", 65)}},
                 "field \"otp\" must be at most 64 bytes");
}

TEST(AccountRoutes, CodesAreRequiredStrings) {
  const std::string confirm = "/api/v1/auth/mfa/totp/confirm";
  expect_invalid("POST", confirm, json::object(), "missing field \"code\"");
  expect_invalid("POST", confirm, {{"code", 123456}}, "field \"code\" must be a string");
  expect_invalid("POST", confirm, {{"code", ""}}, "field \"code\" must be 1 to 64 bytes");
  expect_refused("POST", confirm, "", 400, api_errc::invalid_request, "a JSON body is required");
  const std::string disable = "/api/v1/auth/mfa/totp/disable";
  expect_invalid("POST", disable, {{"code", "123456"}}, "missing field \"password\"");
  expect_invalid("POST", disable, {{"password", "pw"}}, "missing field \"code\"");
  auto c = accepted("POST", disable, R"({"password":"pw","code":"ABCDE-FGHIJ"})");
  EXPECT_EQ(c.password, "pw");
  EXPECT_EQ(c.code, "ABCDE-FGHIJ");
}

TEST(AccountRoutes, PasswordChangeChecksBothPasswords) {
  const std::string path = "/api/v1/auth/password";
  auto c = accepted("POST", path, R"({"old_password":"old","new_password":"a new passphrase"})");
  EXPECT_EQ(c.password, "old");
  EXPECT_EQ(c.new_password, "a new passphrase");
  expect_invalid("POST", path, {{"new_password", "a new passphrase"}},
                 "missing field \"old_password\"");
  expect_invalid("POST", path, {{"old_password", "old"}}, "missing field \"new_password\"");
  expect_invalid("POST", path, {{"old_password", "old"}, {"new_password", "short"}},
                 "new_password must be at least 8 characters");
  expect_invalid("POST", path, {{"old_password", "old"}, {"new_password", repeat("x", 1025)}},
                 "new_password must be valid UTF-8 of at most 1024 bytes");
}

}  // namespace
}  // namespace plexichat::net
