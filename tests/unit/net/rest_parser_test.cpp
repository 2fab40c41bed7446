#include "net/rest_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "tests/unit/net/rest_test_support.hpp"

// Routing, authorization and the history query of parse_rest.
namespace plexichat::net {
namespace {

using namespace rest_test;

// --- routing ---------------------------------------------------------------------------------

struct route_case {
  const char* method;
  const char* target;
  const char* body;
  rest_route route;
  const char* channel_id;
};

TEST(RestParserRoutes, EveryRouteOfTheProtocol) {
  const route_case cases[] = {
      {"POST", "/api/v1/auth/register",
       R"({"username":"alice","password":"violet lamp under stairs"})", rest_route::register_user,
       ""},
      {"POST", "/api/v1/auth/login", R"({"username":"alice","password":"x"})", rest_route::login,
       ""},
      {"POST", "/api/v1/auth/logout", "", rest_route::logout, ""},
      {"GET", "/api/v1/users/me", "", rest_route::me, ""},
      {"POST", "/api/v1/channels", R"({"name":"general"})", rest_route::create_channel, ""},
      {"GET", "/api/v1/channels", "", rest_route::list_channels, ""},
      {"GET", "/api/v1/channels/ch_1-A", "", rest_route::get_channel, "ch_1-A"},
      {"POST", "/api/v1/channels/ch2/members", "{}", rest_route::join_channel, "ch2"},
      {"POST", "/api/v1/channels/ch3/members", R"({"user_id":"u9"})", rest_route::add_member,
       "ch3"},
      {"DELETE", "/api/v1/channels/ch4/members/me", "", rest_route::leave_channel, "ch4"},
      {"GET", "/api/v1/channels/ch5/messages?limit=10", "", rest_route::history, "ch5"},
      {"POST", "/api/v1/channels/ch6/messages", R"({"content":"hi"})", rest_route::post_message,
       "ch6"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{c.method} + " " + c.target);
    auto call = accepted(c.method, c.target, c.body);
    EXPECT_EQ(call.route, c.route);
    EXPECT_EQ(call.channel_id, c.channel_id);
  }
}

TEST(RestParserRoutes, BodiesOfBodilessRoutesAreIgnored) {
  EXPECT_EQ(accepted("GET", "/api/v1/users/me", "not json").route, rest_route::me);
  EXPECT_EQ(accepted("POST", "/api/v1/auth/logout", "{").route, rest_route::logout);
}

TEST(RestParserRoutes, UnknownPathsAreNotFound) {
  for (const char* target : {"/",
                             "/api",
                             "/api/v1",
                             "/api/v1/",
                             "/api/v2/channels",
                             "/API/V1/channels",
                             "/healthz",
                             "/api/v1/nope",
                             "/api/v1/auth",
                             "/api/v1/auth/unknown",
                             "/api/v1/auth/login/x",
                             "/api/v1/users",
                             "/api/v1/users/you",
                             "/api/v1/users/me/x",
                             "/api/v1/channels/c1/other",
                             "/api/v1/channels/c1/members/you/x",
                             "/api/v1/channels/c1/members/me/x",
                             "/api/v1/channels/c1/messages/5",
                             "api/v1/channels",
                             ""}) {
    for (const char* method : {"GET", "POST"}) {
      expect_refused(method, target, "", 404, api_errc::not_found, "no such endpoint");
    }
  }
}

TEST(RestParserRoutes, WrongMethodIs405WithAllow) {
  struct allow_case {
    const char* method;
    const char* target;
    const char* allow;
  };
  const allow_case cases[] = {
      {"GET", "/api/v1/auth/register", "POST"},
      {"PUT", "/api/v1/auth/login", "POST"},
      {"GET", "/api/v1/auth/logout", "POST"},
      {"POST", "/api/v1/users/me", "GET"},
      {"DELETE", "/api/v1/channels", "GET, POST"},
      {"DELETE", "/api/v1/channels/c1", "GET, PATCH"},
      {"GET", "/api/v1/channels/c1/members", "POST"},
      {"POST", "/api/v1/channels/c1/members/me", "DELETE"},
      {"PUT", "/api/v1/channels/c1/messages", "GET, POST"},
      {"get", "/api/v1/channels", "GET, POST"},  // methods are case-sensitive
      {"HEAD", "/api/v1/users/me", "GET"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{c.method} + " " + c.target);
    auto r = refused(c.method, c.target);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.error.code, api_errc::invalid_request);
    EXPECT_EQ(r.allow, c.allow);
  }
}

TEST(RestParserRoutes, InvalidChannelIdIsNotFound) {
  for (const std::string& id : {std::string(65, 'c'), std::string{"a%20b"}, std::string{"c.1"},
                                std::string{"caf%C3%A9"}, std::string{"caf\xC3\xA9"}}) {
    for (std::string suffix : {"", "/members", "/messages"}) {
      expect_refused(suffix.empty() ? "GET" : "POST", "/api/v1/channels/" + id + suffix, "{}", 404,
                     api_errc::not_found, "no such channel");
    }
    expect_refused("DELETE", "/api/v1/channels/" + id + "/members/me", "", 404, api_errc::not_found,
                   "no such channel");
  }
  EXPECT_EQ(accepted("GET", "/api/v1/channels/" + std::string(64, 'c')).channel_id,
            std::string(64, 'c'));
}

// --- authorization ---------------------------------------------------------------------------

TEST(RestParserAuth, ExtractsBearerTokenCaseInsensitively) {
  for (const char* header :
       {"Bearer tok.en_1", "bearer tok.en_1", "BEARER tok.en_1", "bEaReR tok.en_1"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(accepted("GET", "/api/v1/users/me", "", header).token, "tok.en_1");
  }
}

TEST(RestParserAuth, NoTokenWithoutBearer) {
  // A missing or foreign scheme is not refused here: the session answers 401.
  for (const char* header :
       {"", "Bearer", "Bearer ", "Bearertok", "Basic dXNlcjpwYXNz", "Token abc", "Bear abc"}) {
    SCOPED_TRACE(header);
    auto call = accepted("GET", "/api/v1/users/me", "", header);
    EXPECT_EQ(call.route, rest_route::me);
    EXPECT_EQ(call.token, "");
  }
}

// --- history ---------------------------------------------------------------------------------

TEST(RestParserHistory, DefaultsWithoutQuery) {
  for (const char* target : {"/api/v1/channels/c1/messages", "/api/v1/channels/c1/messages?",
                             "/api/v1/channels/c1/messages?x=1&&y"}) {
    SCOPED_TRACE(target);
    auto call = accepted("GET", target);
    EXPECT_EQ(call.route, rest_route::history);
    EXPECT_EQ(call.channel_id, "c1");
    EXPECT_FALSE(call.after.has_value());
    EXPECT_FALSE(call.before.has_value());
    EXPECT_EQ(call.limit, 50U);
  }
}

TEST(RestParserHistory, ReadsAfterBeforeAndLimit) {
  auto call = accepted("GET", messages_path + "?after=5&before=90&limit=200&unknown=zz");
  EXPECT_EQ(call.after, std::optional<uint64_t>{5});
  EXPECT_EQ(call.before, std::optional<uint64_t>{90});
  EXPECT_EQ(call.limit, 200U);

  auto edges = accepted("GET", messages_path + "?limit=1&after=0&before=18446744073709551615");
  EXPECT_EQ(edges.limit, 1U);
  EXPECT_EQ(edges.after, std::optional<uint64_t>{0});
  EXPECT_EQ(edges.before, std::optional<uint64_t>{UINT64_MAX});
}

TEST(RestParserHistory, DefaultLimitFollowsTheConfig) {
  config::limits_config custom;
  custom.history_default_limit = 7;
  custom.history_max_limit = 10;
  auto r = parse_rest({"GET", messages_path, {}, {}}, custom);
  ASSERT_TRUE(std::holds_alternative<rest_call>(r));
  EXPECT_EQ(std::get<rest_call>(r).limit, 7U);
  auto over = parse_rest({"GET", messages_path + "?limit=11", {}, {}}, custom);
  ASSERT_TRUE(std::holds_alternative<rest_refusal>(over));
  EXPECT_EQ(std::get<rest_refusal>(over).error.message, "limit must be between 1 and 10");
}

TEST(RestParserHistory, RefusesLimitOutOfRange) {
  for (const char* q : {"?limit=0", "?limit=201", "?limit=99999999999", "?after=1&limit=0"}) {
    expect_refused("GET", messages_path + q, "", 400, api_errc::invalid_request,
                   "limit must be between 1 and 200");
  }
}

TEST(RestParserHistory, RefusesNonNumericValues) {
  struct bad_query {
    const char* query;
    const char* message;
  };
  const bad_query cases[] = {
      {"?limit=abc", "limit must be a non-negative integer"},
      {"?limit=", "limit must be a non-negative integer"},
      {"?limit", "limit must be a non-negative integer"},
      {"?limit=-1", "limit must be a non-negative integer"},
      {"?limit=+5", "limit must be a non-negative integer"},
      {"?limit=5x", "limit must be a non-negative integer"},
      {"?limit=0x10", "limit must be a non-negative integer"},
      {"?limit=1.5", "limit must be a non-negative integer"},
      {"?after=abc", "after must be a non-negative integer"},
      {"?after=-3", "after must be a non-negative integer"},
      {"?after=18446744073709551616", "after must be a non-negative integer"},
      {"?before=%31", "before must be a non-negative integer"},
      {"?before= 1", "before must be a non-negative integer"},
  };
  for (const auto& c : cases) {
    expect_refused("GET", messages_path + c.query, "", 400, api_errc::invalid_request, c.message);
  }
}

TEST(RestParserHistory, QueryOfOtherRoutesIsIgnored) {
  EXPECT_EQ(accepted("GET", "/api/v1/channels?limit=0&after=x").route, rest_route::list_channels);
  auto post = accepted("POST", messages_path + "?limit=0", R"({"content":"x"})");
  EXPECT_EQ(post.route, rest_route::post_message);
}

}  // namespace
}  // namespace plexichat::net
