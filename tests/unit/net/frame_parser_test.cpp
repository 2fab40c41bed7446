#include "net/frame_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace plexichat::net {
namespace {

using actors::api_errc;
using actors::session::frame_kind;
using actors::session::parsed_frame;
using nlohmann::json;

const config::limits_config limits{};

parsed_frame parse(const json& j) {
  return parse_client_frame(j.dump(), limits);
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += unit;
  }
  return s;
}

json send_frame(const std::string& content, const std::string& nonce = "n-1") {
  return {{"type", "send"}, {"channel_id", "c1"}, {"content", content}, {"nonce", nonce}};
}

/// Expects a refused, non-fatal frame with this code and message.
void expect_error(const parsed_frame& f, api_errc code, std::string_view message) {
  EXPECT_FALSE(f.ok);
  EXPECT_FALSE(f.fatal);
  EXPECT_EQ(f.error.code, code);
  EXPECT_EQ(f.error.message, message);
}

void expect_invalid(const json& frame, std::string_view message) {
  SCOPED_TRACE(frame.dump());
  expect_error(parse(frame), api_errc::invalid_request, message);
}

TEST(FrameParser, Auth) {
  auto f = parse({{"type", "auth"}, {"token", "tok.en-1"}});
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_FALSE(f.fatal);
  EXPECT_EQ(f.frame.kind, frame_kind::auth);
  EXPECT_EQ(f.frame.token, "tok.en-1");
}

TEST(FrameParser, Subscribe) {
  auto f = parse({{"type", "subscribe"}, {"channel_id", "Chan_1-x"}, {"after_seq", 17}});
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_EQ(f.frame.kind, frame_kind::subscribe);
  EXPECT_EQ(f.frame.channel_id, "Chan_1-x");
  EXPECT_EQ(f.frame.after_seq, std::optional<uint64_t>{17});

  auto zero = parse({{"type", "subscribe"}, {"channel_id", "c"}, {"after_seq", 0}});
  ASSERT_TRUE(zero.ok);
  EXPECT_EQ(zero.frame.after_seq, std::optional<uint64_t>{0});

  auto max = parse_client_frame(
      R"({"type":"subscribe","channel_id":"c","after_seq":18446744073709551615})", limits);
  ASSERT_TRUE(max.ok) << max.error.message;
  EXPECT_EQ(max.frame.after_seq, std::optional<uint64_t>{UINT64_MAX});
}

TEST(FrameParser, SubscribeAfterSeqIsOptional) {
  auto absent = parse({{"type", "subscribe"}, {"channel_id", "c"}});
  ASSERT_TRUE(absent.ok);
  EXPECT_FALSE(absent.frame.after_seq.has_value());
  auto null = parse({{"type", "subscribe"}, {"channel_id", "c"}, {"after_seq", nullptr}});
  ASSERT_TRUE(null.ok);
  EXPECT_FALSE(null.frame.after_seq.has_value());
}

TEST(FrameParser, Unsubscribe) {
  auto f = parse({{"type", "unsubscribe"}, {"channel_id", "abc"}});
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_EQ(f.frame.kind, frame_kind::unsubscribe);
  EXPECT_EQ(f.frame.channel_id, "abc");
}

TEST(FrameParser, Send) {
  auto f = parse(send_frame("hello\nworld\twith tab", "nonce-42"));
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_EQ(f.frame.kind, frame_kind::send);
  EXPECT_EQ(f.frame.channel_id, "c1");
  EXPECT_EQ(f.frame.content, "hello\nworld\twith tab");
  EXPECT_EQ(f.frame.nonce, "nonce-42");
}

TEST(FrameParser, Ping) {
  auto bare = parse({{"type", "ping"}});
  ASSERT_TRUE(bare.ok);
  EXPECT_EQ(bare.frame.kind, frame_kind::ping);
  EXPECT_EQ(bare.frame.nonce, "");
  auto with = parse({{"type", "ping"}, {"nonce", "p1"}});
  ASSERT_TRUE(with.ok);
  EXPECT_EQ(with.frame.nonce, "p1");
  EXPECT_TRUE(parse({{"type", "ping"}, {"nonce", nullptr}}).ok);
}

TEST(FrameParser, IgnoresUnknownFields) {
  auto f = parse({{"type", "ping"}, {"extra", {1, 2}}, {"channel_id", 5}});
  EXPECT_TRUE(f.ok) << f.error.message;
}

TEST(FrameParser, ReadsOnlyTheObjectsOwnMembers) {
  // Members of nested objects are not the frame's, whatever their names.
  auto f = parse_client_frame(
      R"({"x": {"type": "send", "nonce": "inner"}, "type": "ping", "y": [{"nonce": 1}]})", limits);
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_EQ(f.frame.kind, frame_kind::ping);
  EXPECT_EQ(f.frame.nonce, "");
  expect_error(parse_client_frame(R"({"x": {"type": "ping"}})", limits), api_errc::invalid_request,
               "missing field \"type\"");
  // An object or array as a field's value is the wrong type, not its contents.
  expect_error(parse_client_frame(R"({"type": {"type": "ping"}})", limits),
               api_errc::invalid_request, "field \"type\" must be a string");
  expect_error(parse_client_frame(R"({"type": "auth", "token": ["t"]})", limits),
               api_errc::invalid_request, "field \"token\" must be a string");
}

TEST(FrameParser, ARepeatedMemberKeepsItsLastValue) {
  auto f = parse_client_frame(R"({"type": "auth", "token": "a", "token": "b"})", limits);
  ASSERT_TRUE(f.ok) << f.error.message;
  EXPECT_EQ(f.frame.token, "b");
  expect_error(parse_client_frame(R"({"type": "auth", "token": "a", "token": {}})", limits),
               api_errc::invalid_request, "field \"token\" must be a string");
  auto g = parse_client_frame(R"({"type": "shout", "type": [1], "type": "ping"})", limits);
  ASSERT_TRUE(g.ok) << g.error.message;
  EXPECT_EQ(g.frame.kind, frame_kind::ping);
}

TEST(FrameParser, AfterSeqBoundsAndMinusZero) {
  auto zero = parse_client_frame(R"({"type":"subscribe","channel_id":"c","after_seq":-0})", limits);
  ASSERT_TRUE(zero.ok) << zero.error.message;
  EXPECT_EQ(zero.frame.after_seq, 0U);
  auto max = parse_client_frame(
      R"({"type":"subscribe","channel_id":"c","after_seq":18446744073709551615})", limits);
  ASSERT_TRUE(max.ok) << max.error.message;
  EXPECT_EQ(max.frame.after_seq, UINT64_MAX);
  auto none =
      parse_client_frame(R"({"type":"subscribe","channel_id":"c","after_seq":null})", limits);
  ASSERT_TRUE(none.ok) << none.error.message;
  EXPECT_FALSE(none.frame.after_seq.has_value());
}

TEST(FrameParser, MissingOrWrongTypedType) {
  expect_invalid({{"token", "t"}}, "missing field \"type\"");
  expect_invalid({{"type", 5}}, "field \"type\" must be a string");
  expect_invalid({{"type", nullptr}}, "field \"type\" must be a string");
  expect_invalid({{"type", {"auth"}}}, "field \"type\" must be a string");
}

TEST(FrameParser, UnknownType) {
  expect_invalid({{"type", "shout"}}, "unknown frame type \"shout\"");
  expect_invalid({{"type", "AUTH"}, {"token", "t"}}, "unknown frame type \"AUTH\"");
  expect_invalid({{"type", ""}}, "unknown frame type \"\"");
  // A long type is cut to 32 bytes in the message.
  expect_invalid({{"type", std::string(32, 'x')}},
                 "unknown frame type \"" + std::string(32, 'x') + "\"");
  // A longer type is not echoed: cutting it could split a UTF-8 sequence.
  expect_invalid({{"type", std::string(33, 'x')}}, "unknown frame type");
}

TEST(FrameParser, MissingOrWrongTypedFields) {
  expect_invalid({{"type", "auth"}}, "missing field \"token\"");
  expect_invalid({{"type", "auth"}, {"token", nullptr}}, "field \"token\" must be a string");
  expect_invalid({{"type", "auth"}, {"token", 7}}, "field \"token\" must be a string");
  expect_invalid({{"type", "subscribe"}}, "missing field \"channel_id\"");
  expect_invalid({{"type", "unsubscribe"}, {"channel_id", 3}},
                 "field \"channel_id\" must be a string");
  expect_invalid({{"type", "send"}, {"channel_id", "c"}, {"nonce", "n"}},
                 "missing field \"content\"");
  expect_invalid({{"type", "send"}, {"channel_id", "c"}, {"nonce", "n"}, {"content", 5}},
                 "field \"content\" must be a string");
  expect_invalid({{"type", "send"}, {"channel_id", "c"}, {"nonce", "n"}, {"content", {"x"}}},
                 "field \"content\" must be a string");
  expect_invalid({{"type", "ping"}, {"nonce", 5}}, "field \"nonce\" must be a string");
}

TEST(FrameParser, AfterSeqMustBeANonNegativeInteger) {
  const std::string message = "field \"after_seq\" must be a non-negative integer";
  for (const json& bad : {json(-1), json("3"), json(1.5), json(3.0), json(true), json::array()}) {
    expect_invalid({{"type", "subscribe"}, {"channel_id", "c"}, {"after_seq", bad}}, message);
  }
}

TEST(FrameParser, NonObjectJsonIsRefusedButNotFatal) {
  for (const char* text : {"[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "null", "true"}) {
    SCOPED_TRACE(text);
    expect_error(parse_client_frame(text, limits), api_errc::invalid_request,
                 "a frame must be a JSON object");
  }
}

TEST(FrameParser, NotJsonIsFatal) {
  for (const char* text : {"", "ping", "{\"type\": \"ping\"", "{\"type\": \"ping\"}}", "\xff"}) {
    SCOPED_TRACE(text);
    auto f = parse_client_frame(text, limits);
    EXPECT_FALSE(f.ok);
    EXPECT_TRUE(f.fatal);
    EXPECT_EQ(f.error.code, api_errc::invalid_request);
    EXPECT_EQ(f.error.message.rfind("malformed JSON at byte ", 0), 0U) << f.error.message;
    EXPECT_EQ(f.nonce, "");
  }
}

TEST(FrameParser, TooDeepOrOutOfRangeIsFatal) {
  auto deep = parse_client_frame(
      R"({"type":"ping","x":)" + std::string(100, '[') + std::string(100, ']') + "}", limits);
  EXPECT_TRUE(deep.fatal);
  EXPECT_EQ(deep.error.code, api_errc::invalid_request);
  EXPECT_EQ(deep.error.message, "JSON nested deeper than 32 levels");

  parsed_frame huge;
  EXPECT_NO_THROW(huge = parse_client_frame(R"({"type":"ping","x":1e999})", limits));
  EXPECT_TRUE(huge.fatal);
  EXPECT_EQ(huge.error.code, api_errc::invalid_request);
}

TEST(FrameParser, ContentUpToTheLimitInCharactersNotBytes) {
  ASSERT_EQ(limits.max_message_chars, 4000U);
  const std::string e_acute = "\xC3\xA9";        // 2 bytes
  const std::string emoji = "\xF0\x9F\x98\x80";  // 4 bytes
  for (const std::string& unit : {std::string{"a"}, e_acute, emoji}) {
    SCOPED_TRACE(unit);
    auto at_limit = parse(send_frame(repeat(unit, 4000)));
    EXPECT_TRUE(at_limit.ok) << at_limit.error.message;
    EXPECT_EQ(at_limit.frame.content.size(), 4000 * unit.size());
    expect_error(parse(send_frame(repeat(unit, 4001))), api_errc::invalid_request,
                 "content must be 1 to 4000 characters, got 4001");
  }
  auto mixed = parse(send_frame(repeat(e_acute + emoji, 2000)));
  EXPECT_TRUE(mixed.ok) << mixed.error.message;
  expect_error(parse(send_frame(repeat(e_acute + emoji, 2000) + "x")), api_errc::invalid_request,
               "content must be 1 to 4000 characters, got 4001");
}

TEST(FrameParser, ContentLimitFollowsTheConfig) {
  config::limits_config small;
  small.max_message_chars = 3;
  EXPECT_TRUE(parse_client_frame(send_frame("\xC3\xA9\xC3\xA9\xC3\xA9").dump(), small).ok);
  auto over = parse_client_frame(send_frame("abcd").dump(), small);
  expect_error(over, api_errc::invalid_request, "content must be 1 to 3 characters, got 4");
}

TEST(FrameParser, EmptyContentIsRefused) {
  expect_error(parse(send_frame("")), api_errc::invalid_request,
               "content must be 1 to 4000 characters, got 0");
}

TEST(FrameParser, SendRequiresANonce) {
  expect_invalid({{"type", "send"}, {"channel_id", "c"}, {"content", "x"}},
                 "missing field \"nonce\"");
  expect_invalid({{"type", "send"}, {"channel_id", "c"}, {"content", "x"}, {"nonce", nullptr}},
                 "field \"nonce\" must be a string");
  expect_invalid(send_frame("x", ""), "nonce must be 1 to 128 characters");
}

TEST(FrameParser, NonceLengthAndCharacters) {
  EXPECT_TRUE(parse(send_frame("x", std::string(128, 'n'))).ok);
  EXPECT_TRUE(parse(send_frame("x", " !~{}\"\\ printable")).ok);
  expect_invalid(send_frame("x", std::string(129, 'n')), "nonce must be 1 to 128 characters");
  for (const std::string& bad :
       {std::string{"a\x01"}, std::string{"tab\there"}, std::string{"nl\n"}, std::string{"del\x7f"},
        std::string{"caf\xC3\xA9"}, std::string{"nul\0x", 5}}) {
    SCOPED_TRACE(bad);
    expect_invalid(send_frame("x", bad), "nonce must be printable ASCII");
  }
  // Ping's nonce is optional but follows the same rules when given.
  expect_invalid({{"type", "ping"}, {"nonce", std::string(129, 'p')}},
                 "nonce must be 1 to 128 characters");
  expect_invalid({{"type", "ping"}, {"nonce", "p\x1b"}}, "nonce must be printable ASCII");
}

TEST(FrameParser, InvalidChannelIdIsNotFound) {
  EXPECT_TRUE(parse({{"type", "unsubscribe"}, {"channel_id", std::string(64, 'c')}}).ok);
  for (const std::string& bad :
       {std::string{""}, std::string(65, 'c'), std::string{"a b"}, std::string{"../x"},
        std::string{"c.1"}, std::string{"caf\xC3\xA9"}}) {
    SCOPED_TRACE(bad);
    for (const char* type : {"subscribe", "unsubscribe"}) {
      expect_error(parse({{"type", type}, {"channel_id", bad}}), api_errc::not_found,
                   "no such channel");
    }
    json send = send_frame("x");
    send["channel_id"] = bad;
    expect_error(parse(send), api_errc::not_found, "no such channel");
  }
}

TEST(FrameParser, EchoesAValidNonceInErrors) {
  json bad_channel = send_frame("x", "n-7");
  bad_channel["channel_id"] = "no such!";
  auto f = parse(bad_channel);
  EXPECT_FALSE(f.ok);
  EXPECT_EQ(f.nonce, "n-7");

  auto empty_content = parse(send_frame("", "n-8"));
  EXPECT_FALSE(empty_content.ok);
  EXPECT_EQ(empty_content.nonce, "n-8");

  auto unknown = parse({{"type", "shout"}, {"nonce", "n-9"}});
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.nonce, "n-9");

  auto no_type = parse({{"nonce", "n-10"}});
  EXPECT_FALSE(no_type.ok);
  EXPECT_EQ(no_type.nonce, "n-10");
}

TEST(FrameParser, DoesNotEchoAnInvalidNonce) {
  for (const json& nonce : {json(std::string(129, 'n')), json("ctl\x01"), json(""), json(5),
                            json::object(), json("caf\xC3\xA9")}) {
    SCOPED_TRACE(nonce.dump());
    json frame = send_frame("x");
    frame["nonce"] = nonce;
    auto f = parse(frame);
    EXPECT_FALSE(f.ok);
    EXPECT_EQ(f.nonce, "");
  }
}

}  // namespace
}  // namespace plexichat::net
