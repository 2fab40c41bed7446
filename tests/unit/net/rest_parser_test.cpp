#include "net/rest_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace plexichat::net {
namespace {

using actors::api_errc;
using actors::session::rest_call;
using actors::session::rest_route;
using nlohmann::json;

const config::limits_config limits{};

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += unit;
  }
  return s;
}

auto parse(std::string_view method, std::string_view target, std::string_view body = {},
           std::string_view authorization = {}) {
  return parse_rest({method, target, authorization, body}, limits);
}

/// The call, failing the test if the request was refused.
rest_call accepted(std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view authorization = {}) {
  auto r = parse(method, target, body, authorization);
  if (auto* refusal = std::get_if<rest_refusal>(&r)) {
    ADD_FAILURE() << method << " " << target << " " << body << " refused " << refusal->status
                  << ": " << refusal->error.message;
    return {};
  }
  return std::get<rest_call>(r);
}

/// The refusal, failing the test if the request was accepted.
rest_refusal refused(std::string_view method, std::string_view target, std::string_view body = {}) {
  auto r = parse(method, target, body);
  if (!std::holds_alternative<rest_refusal>(r)) {
    ADD_FAILURE() << method << " " << target << " " << body << " was accepted";
    return {};
  }
  return std::get<rest_refusal>(r);
}

void expect_refused(std::string_view method, std::string_view target, std::string_view body,
                    int status, api_errc code, std::string_view message) {
  SCOPED_TRACE(std::string{method} + " " + std::string{target} + " " + std::string{body});
  auto r = refused(method, target, body);
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.error.code, code);
  EXPECT_EQ(r.error.message, message);
  EXPECT_EQ(r.allow, "");
}

void expect_invalid(std::string_view method, std::string_view target, const json& body,
                    std::string_view message) {
  expect_refused(method, target, body.dump(), 400, api_errc::invalid_request, message);
}

const std::string messages_path = "/api/v1/channels/c1/messages";
const std::string username_rule = "username must be 3 to 32 characters of a-z, 0-9, _ . -";

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
      {"POST", "/api/v1/auth/register", R"({"username":"alice","password":"12345678"})",
       rest_route::register_user, ""},
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
                             "/api/v1/channels/c1/members/you",
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
      {"PATCH", "/api/v1/channels/c1", "GET"},
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
    for (const std::string& suffix : {"", "/members", "/messages"}) {
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

// --- register and login ----------------------------------------------------------------------

json credentials(const json& username, const json& password) {
  return {{"username", username}, {"password", password}};
}

TEST(RestParserRegister, NormalisesUsernameToLowercase) {
  auto call =
      accepted("POST", "/api/v1/auth/register", credentials("Alice_01.X-y", "Secret pw").dump());
  EXPECT_EQ(call.route, rest_route::register_user);
  EXPECT_EQ(call.username, "alice_01.x-y");
  EXPECT_EQ(call.password, "Secret pw");
  EXPECT_EQ(
      accepted("POST", "/api/v1/auth/register", credentials("abc", "12345678").dump()).username,
      "abc");
  EXPECT_EQ(accepted("POST", "/api/v1/auth/register",
                     credentials(std::string(32, 'Z'), "12345678").dump())
                .username,
            std::string(32, 'z'));
}

TEST(RestParserRegister, RefusesInvalidUsernames) {
  for (const std::string& name : {std::string{"x"}, std::string{"ab"}, std::string(33, 'a'),
                                  std::string{"a b"}, std::string{"\xC3\xBCmlaut"},
                                  std::string{"al!ce"}, std::string{"al/ce"}, std::string{""}}) {
    expect_invalid("POST", "/api/v1/auth/register", credentials(name, "12345678"), username_rule);
  }
}

TEST(RestParserRegister, RefusesMissingOrWrongTypedCredentials) {
  const char* path = "/api/v1/auth/register";
  expect_invalid("POST", path, {{"password", "12345678"}}, "missing field \"username\"");
  expect_invalid("POST", path, {{"username", "alice"}}, "missing field \"password\"");
  expect_invalid("POST", path, credentials(5, "12345678"), "field \"username\" must be a string");
  expect_invalid("POST", path, credentials({"abc"}, "12345678"),
                 "field \"username\" must be a string");
  expect_invalid("POST", path, credentials("alice", nullptr),
                 "field \"password\" must be a string");
  expect_invalid("POST", path, credentials("alice", 12345678),
                 "field \"password\" must be a string");
}

TEST(RestParserRegister, PasswordMinimumInCharacters) {
  const char* path = "/api/v1/auth/register";
  expect_invalid("POST", path, credentials("alice", "1234567"),
                 "password must be at least 8 characters");
  expect_invalid("POST", path, credentials("alice", ""), "password must be at least 8 characters");
  // 7 characters in 14 bytes: still too short.
  expect_invalid("POST", path, credentials("alice", repeat("\xC3\xA9", 7)),
                 "password must be at least 8 characters");
  EXPECT_EQ(accepted("POST", path, credentials("alice", "12345678").dump()).password, "12345678");
  EXPECT_EQ(accepted("POST", path, credentials("alice", repeat("\xC3\xA9", 8)).dump()).password,
            repeat("\xC3\xA9", 8));
}

TEST(RestParserRegister, PasswordMaximumInBytes) {
  const std::string message = "password must be valid UTF-8 of at most 1024 bytes";
  for (const char* path : {"/api/v1/auth/register", "/api/v1/auth/login"}) {
    EXPECT_EQ(
        accepted("POST", path, credentials("alice", std::string(1024, 'p')).dump()).password.size(),
        1024U);
    expect_invalid("POST", path, credentials("alice", std::string(1025, 'p')), message);
    // 513 two-byte characters are 1026 bytes.
    expect_invalid("POST", path, credentials("alice", repeat("\xC3\xA9", 513)), message);
  }
}

TEST(RestParserLogin, DoesNotApplyThePasswordMinimum) {
  auto call = accepted("POST", "/api/v1/auth/login", credentials("Alice", "x").dump());
  EXPECT_EQ(call.route, rest_route::login);
  EXPECT_EQ(call.username, "alice");
  EXPECT_EQ(call.password, "x");
  EXPECT_EQ(accepted("POST", "/api/v1/auth/login", credentials("alice", "").dump()).password, "");
}

TEST(RestParserLogin, ChecksUsernameAndOtpType) {
  const char* path = "/api/v1/auth/login";
  expect_invalid("POST", path, credentials("a b", "password"), username_rule);
  expect_invalid("POST", path, credentials({{"a", 1}}, "password"),
                 "field \"username\" must be a string");
  json with_otp = credentials("alice", "password");
  with_otp["otp"] = "123456";
  EXPECT_EQ(accepted("POST", path, with_otp.dump()).route, rest_route::login);
  with_otp["otp"] = nullptr;
  EXPECT_EQ(accepted("POST", path, with_otp.dump()).route, rest_route::login);
  with_otp["otp"] = 123456;
  expect_invalid("POST", path, with_otp, "field \"otp\" must be a string");
}

// --- bodies ----------------------------------------------------------------------------------

TEST(RestParserBodies, MalformedNonObjectAndDeepBodiesAreInvalid) {
  const char* paths[] = {"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/channels",
                         "/api/v1/channels/c1/members", "/api/v1/channels/c1/messages"};
  for (const char* path : paths) {
    auto invalid = [&](std::string_view body, std::string_view message) {
      expect_refused("POST", path, body, 400, api_errc::invalid_request, message);
    };
    invalid("{", "malformed JSON at byte 2");
    invalid("{\"content\": \"\xff\"}", "malformed JSON at byte 14");
    invalid(R"({"content": "\ud800"})", "malformed JSON at byte 20");
    invalid("[]", "the body must be a JSON object");
    invalid("\"text\"", "the body must be a JSON object");
    invalid("null", "the body must be a JSON object");
    invalid(R"({"x": 1e999})", "malformed JSON: a number is out of range");
    invalid(R"({"name": "x", "deep": )" + std::string(33, '[') + std::string(33, ']') + "}",
            "JSON nested deeper than 32 levels");
    invalid(std::string(100000, '['), "JSON nested deeper than 32 levels");
  }
}

TEST(RestParserBodies, EmptyBodyIsRequiredExceptToJoin) {
  for (const char* path : {"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/channels",
                           "/api/v1/channels/c1/messages"}) {
    expect_refused("POST", path, "", 400, api_errc::invalid_request, "a JSON body is required");
  }
  EXPECT_EQ(accepted("POST", "/api/v1/channels/c1/members", "").route, rest_route::join_channel);
}

// --- channels --------------------------------------------------------------------------------

TEST(RestParserChannels, CreateReadsNameTopicAndPrivate) {
  auto call = accepted("POST", "/api/v1/channels",
                       R"({"name": "General chat", "topic": "Talk\u00e9", "private": true})");
  EXPECT_EQ(call.route, rest_route::create_channel);
  EXPECT_EQ(call.name, "General chat");
  EXPECT_EQ(call.topic, "Talk\xC3\xA9");
  EXPECT_TRUE(call.is_private);

  auto plain = accepted("POST", "/api/v1/channels", R"({"name": "g"})");
  EXPECT_EQ(plain.topic, "");
  EXPECT_FALSE(plain.is_private);
  auto nulls =
      accepted("POST", "/api/v1/channels", R"({"name": "g", "topic": null, "private": null})");
  EXPECT_EQ(nulls.topic, "");
  EXPECT_FALSE(nulls.is_private);
  EXPECT_FALSE(
      accepted("POST", "/api/v1/channels", R"({"name": "g", "private": false})").is_private);
}

TEST(RestParserChannels, NameIsOneTo64Characters) {
  const char* path = "/api/v1/channels";
  expect_invalid("POST", path, {{"name", ""}}, "name must be 1 to 64 characters, got 0");
  expect_invalid("POST", path, {{"name", std::string(65, 'n')}},
                 "name must be 1 to 64 characters, got 65");
  expect_invalid("POST", path, {{"name", repeat("\xF0\x9F\x98\x80", 65)}},
                 "name must be 1 to 64 characters, got 65");
  EXPECT_EQ(accepted("POST", path, json{{"name", std::string(64, 'n')}}.dump()).name,
            std::string(64, 'n'));
  // 64 characters in 128 and 256 bytes.
  EXPECT_EQ(accepted("POST", path, json{{"name", repeat("\xC3\xA9", 64)}}.dump()).name,
            repeat("\xC3\xA9", 64));
  EXPECT_EQ(accepted("POST", path, json{{"name", repeat("\xF0\x9F\x98\x80", 64)}}.dump()).name,
            repeat("\xF0\x9F\x98\x80", 64));
}

TEST(RestParserChannels, NameAndTopicRefuseControlCharacters) {
  const char* path = "/api/v1/channels";
  for (const std::string& bad :
       {std::string{"a\x01"}, std::string{"a\nb"}, std::string{"tab\there"},
        std::string{"\x1b[31mred"}, std::string{"nul\0", 4}}) {
    SCOPED_TRACE(bad);
    expect_invalid("POST", path, {{"name", bad}}, "name must not contain control characters");
    expect_invalid("POST", path, {{"name", "ok"}, {"topic", bad}},
                   "topic must not contain control characters");
  }
}

TEST(RestParserChannels, TopicAndPrivateTypes) {
  const char* path = "/api/v1/channels";
  expect_invalid("POST", path, {{"name", 5}}, "field \"name\" must be a string");
  expect_invalid("POST", path, {{"topic", "t"}}, "missing field \"name\"");
  expect_invalid("POST", path, {{"name", "x"}, {"topic", {"t"}}},
                 "field \"topic\" must be a string");
  expect_invalid("POST", path, {{"name", "x"}, {"topic", std::string(1025, 't')}},
                 "topic must be 0 to 1024 characters, got 1025");
  EXPECT_EQ(accepted("POST", path, json{{"name", "x"}, {"topic", std::string(1024, 't')}}.dump())
                .topic.size(),
            1024U);
  for (const json& bad : {json("true"), json(1), json(0), json::object()}) {
    expect_invalid("POST", path, {{"name", "x"}, {"private", bad}},
                   "field \"private\" must be a boolean");
  }
}

// --- members ---------------------------------------------------------------------------------

TEST(RestParserMembers, JoinOrAddMember) {
  const char* path = "/api/v1/channels/c1/members";
  for (const char* body : {"", "{}", R"({"user_id": null})", R"({"other": 1})"}) {
    SCOPED_TRACE(body);
    auto call = accepted("POST", path, body);
    EXPECT_EQ(call.route, rest_route::join_channel);
    EXPECT_EQ(call.channel_id, "c1");
    EXPECT_EQ(call.user_id, "");
  }
  auto add = accepted("POST", path, R"({"user_id": "u_42-X"})");
  EXPECT_EQ(add.route, rest_route::add_member);
  EXPECT_EQ(add.channel_id, "c1");
  EXPECT_EQ(add.user_id, "u_42-X");
}

TEST(RestParserMembers, BadUserIdIsNotFoundOrInvalid) {
  const char* path = "/api/v1/channels/c1/members";
  for (const std::string& id :
       {std::string{"a b"}, std::string(65, 'u'), std::string{"u.1"}, std::string{"../u"}}) {
    expect_refused("POST", path, json{{"user_id", id}}.dump(), 404, api_errc::not_found,
                   "no such user");
  }
  expect_invalid("POST", path, {{"user_id", 5}}, "field \"user_id\" must be a string");
  expect_refused("POST", path, " ", 400, api_errc::invalid_request, "malformed JSON at byte 2");
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

// --- post_message ----------------------------------------------------------------------------

TEST(RestParserPost, ReadsContentAndOptionalNonce) {
  auto call = accepted("POST", messages_path, R"({"content": "line 1\nline\t2", "nonce": "n-1"})");
  EXPECT_EQ(call.route, rest_route::post_message);
  EXPECT_EQ(call.channel_id, "c1");
  EXPECT_EQ(call.content, "line 1\nline\t2");
  EXPECT_EQ(call.nonce, "n-1");
  for (const char* body : {R"({"content": "x"})", R"({"content": "x", "nonce": null})"}) {
    EXPECT_EQ(accepted("POST", messages_path, body).nonce, "");
  }
}

TEST(RestParserPost, ContentIsOneTo4000Characters) {
  expect_invalid("POST", messages_path, {{"content", ""}},
                 "content must be 1 to 4000 characters, got 0");
  for (const std::string& unit :
       {std::string{"a"}, std::string{"\xC3\xA9"}, std::string{"\xF0\x9F\x98\x80"}}) {
    EXPECT_EQ(accepted("POST", messages_path, json{{"content", repeat(unit, 4000)}}.dump())
                  .content.size(),
              4000 * unit.size());
    expect_invalid("POST", messages_path, {{"content", repeat(unit, 4001)}},
                   "content must be 1 to 4000 characters, got 4001");
  }
  expect_invalid("POST", messages_path, {{"nonce", "n"}}, "missing field \"content\"");
  expect_invalid("POST", messages_path, {{"content", nullptr}},
                 "field \"content\" must be a string");
  expect_invalid("POST", messages_path, {{"content", {{"text", "x"}}}},
                 "field \"content\" must be a string");
}

TEST(RestParserPost, NonceRules) {
  EXPECT_EQ(accepted("POST", messages_path,
                     json{{"content", "x"}, {"nonce", std::string(128, 'n')}}.dump())
                .nonce.size(),
            128U);
  expect_invalid("POST", messages_path, {{"content", "x"}, {"nonce", std::string(129, 'n')}},
                 "nonce must be 1 to 128 characters");
  expect_invalid("POST", messages_path, {{"content", "x"}, {"nonce", "a\x01"}},
                 "nonce must be printable ASCII");
  expect_invalid("POST", messages_path, {{"content", "x"}, {"nonce", "caf\xC3\xA9"}},
                 "nonce must be printable ASCII");
  expect_invalid("POST", messages_path, {{"content", "x"}, {"nonce", 5}},
                 "field \"nonce\" must be a string");
}

}  // namespace
}  // namespace plexichat::net
