#include "net/rest_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "tests/unit/net/rest_test_support.hpp"

// The JSON bodies parse_rest reads: credentials, channels, members and messages.
namespace plexichat::net {
namespace {

using namespace rest_test;

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
  EXPECT_EQ(accepted("POST", "/api/v1/auth/register",
                     credentials("abc", "violet lamp under stairs").dump())
                .username,
            "abc");
  EXPECT_EQ(accepted("POST", "/api/v1/auth/register",
                     credentials(std::string(32, 'Z'), "violet lamp under stairs").dump())
                .username,
            std::string(32, 'z'));
}

TEST(RestParserRegister, RefusesInvalidUsernames) {
  for (const std::string& name : {std::string{"x"}, std::string{"ab"}, std::string(33, 'a'),
                                  std::string{"a b"}, std::string{"\xC3\xBCmlaut"},
                                  std::string{"al!ce"}, std::string{"al/ce"}, std::string{""}}) {
    expect_invalid("POST", "/api/v1/auth/register", credentials(name, "violet lamp under stairs"),
                   username_rule);
  }
}

TEST(RestParserRegister, RefusesMissingOrWrongTypedCredentials) {
  const char* path = "/api/v1/auth/register";
  expect_invalid("POST", path, {{"password", "violet lamp under stairs"}},
                 "missing field \"username\"");
  expect_invalid("POST", path, {{"username", "alice"}}, "missing field \"password\"");
  expect_invalid("POST", path, credentials(5, "violet lamp under stairs"),
                 "field \"username\" must be a string");
  expect_invalid("POST", path, credentials({"abc"}, "violet lamp under stairs"),
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
  EXPECT_EQ(
      accepted("POST", path, credentials("alice", "violet lamp under stairs").dump()).password,
      "violet lamp under stairs");
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
  for (const std::string& id : {std::string{"a b"}, std::string(65, 'u'), std::string{"u.1"},
                                std::string{"../u"}, std::string{}}) {
    expect_refused("POST", path, json{{"user_id", id}}.dump(), 404, api_errc::not_found,
                   "no such user");
  }
  expect_invalid("POST", path, {{"user_id", 5}}, "field \"user_id\" must be a string");
  expect_refused("POST", path, " ", 400, api_errc::invalid_request, "malformed JSON at byte 2");
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
