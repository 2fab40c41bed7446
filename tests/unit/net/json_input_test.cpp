#include "net/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace plexichat::net {
namespace {

using namespace std::string_literals;
using nlohmann::json;

constexpr unsigned depth_limit = 32;

/// `levels` arrays nested in one another: "[[...]]".
std::string nested_arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

/// `levels` objects nested in one another: {"a":{"a":...{}}}.
std::string nested_objects(std::size_t levels) {
  std::string text;
  for (std::size_t i = 1; i < levels; ++i) {
    text += "{\"a\":";
  }
  return text + "{}" + std::string(levels - 1, '}');
}

void expect_refused(std::string_view text, std::string_view expected_error) {
  auto r = parse_json(text, depth_limit);
  EXPECT_FALSE(r.value.has_value()) << "input: " << text;
  EXPECT_EQ(r.error, expected_error) << "input: " << text;
}

TEST(JsonInput, ParsesValidObjects) {
  auto r = parse_json(R"({"type": "ping", "n": 3, "ok": true, "list": [1, "x", null]})", 32);
  ASSERT_TRUE(r.value.has_value()) << r.error;
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(*r.value,
            json({{"type", "ping"}, {"n", 3}, {"ok", true}, {"list", {1, "x", nullptr}}}));

  auto empty = parse_json("  {}\n", 32);
  ASSERT_TRUE(empty.value.has_value());
  EXPECT_TRUE(empty.value->is_object());
  EXPECT_TRUE(empty.value->empty());
}

TEST(JsonInput, ParsesScalarsAndArraysAsWell) {
  // parse_json is only a parser: callers decide which shapes they accept.
  auto arr = parse_json("[1,2]", 32);
  ASSERT_TRUE(arr.value.has_value());
  EXPECT_EQ(*arr.value, json({1, 2}));
  auto num = parse_json("18446744073709551615", 32);
  ASSERT_TRUE(num.value.has_value());
  EXPECT_TRUE(num.value->is_number_unsigned());
  EXPECT_EQ(num.value->get<uint64_t>(), 18446744073709551615ULL);
  auto neg = parse_json("-1", 32);
  ASSERT_TRUE(neg.value.has_value());
  EXPECT_EQ(neg.value->get<int64_t>(), -1);
}

TEST(JsonInput, ParsesUnicodeEscapesAndRawUtf8) {
  auto r = parse_json(R"({"s": "caf\u00e9 \ud83d\ude00", "t": "caf)"
                      "\xC3\xA9 \xF0\x9F\x98\x80\"}",
                      32);
  ASSERT_TRUE(r.value.has_value()) << r.error;
  EXPECT_EQ(r.value->at("s").get<std::string>(), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(r.value->at("t").get<std::string>(), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonInput, AcceptsEscapedNulCharacter) {
  // "\u0000" is valid JSON; what a field may contain is decided by the field checks.
  auto r = parse_json(R"(["a\u0000b"])", 32);
  ASSERT_TRUE(r.value.has_value()) << r.error;
  EXPECT_EQ(r.value->at(0).get<std::string>(), "a\0b"s);
}

TEST(JsonInput, RefusesMalformedTextWithByteOffset) {
  // nlohmann-json reports the 1-based position of the last byte it read.
  expect_refused("{", "malformed JSON at byte 2");
  expect_refused("[]]", "malformed JSON at byte 3");
  expect_refused("", "malformed JSON at byte 1");
  expect_refused("nul", "malformed JSON at byte 4");
  expect_refused(R"({"a": 1,})", "malformed JSON at byte 9");
  expect_refused(R"({"a":1} x)", "malformed JSON at byte 9");
  expect_refused("NaN", "malformed JSON at byte 1");
  expect_refused(R"({'a': 1})", "malformed JSON at byte 2");
  expect_refused("{\"a\":\"x\x01\"}", "malformed JSON at byte 8");  // raw control char
  // A raw NUL is refused wherever it stands, also after a complete value (where
  // nlohmann-json alone would take it as the end of input).
  expect_refused("{}\0junk"s, "malformed JSON at byte 3");
  expect_refused("[1,\0 2]"s, "malformed JSON at byte 4");
  expect_refused("\"a\0b\""s, "malformed JSON at byte 3");
}

TEST(JsonInput, RefusesInvalidUtf8InsideStrings) {
  expect_refused("\"\xff\"", "malformed JSON at byte 2");
  expect_refused("{\"k\": \"ok \xfe\"}", "malformed JSON at byte 11");
  expect_refused("\"\xC3\"", "malformed JSON at byte 3");              // truncated sequence
  expect_refused("\"\x80\"", "malformed JSON at byte 2");              // stray continuation
  expect_refused("\"\xF4\x90\x80\x80\"", "malformed JSON at byte 3");  // above U+10FFFF
}

TEST(JsonInput, RefusesOverlongEncodings) {
  expect_refused("\"\xC0\xAF\"", "malformed JSON at byte 2");  // '/' in two bytes
  expect_refused("\"\xC1\xBF\"", "malformed JSON at byte 2");
  expect_refused("\"\xE0\x80\xAF\"", "malformed JSON at byte 3");      // '/' in three bytes
  expect_refused("\"\xF0\x80\x80\xAF\"", "malformed JSON at byte 3");  // '/' in four bytes
}

TEST(JsonInput, RefusesSurrogatesRawOrEscaped) {
  // nlohmann-json 3.11 refuses lone surrogate escapes (parse_error 101) rather than passing
  // them on as ill-formed UTF-8, and refuses UTF-8-encoded surrogates (CESU-8) as ill-formed.
  expect_refused(R"("\ud800")", "malformed JSON at byte 8");
  expect_refused(R"("\udc00")", "malformed JSON at byte 7");
  expect_refused(R"("\ud800\u0041")", "malformed JSON at byte 13");
  expect_refused(R"("\ude00\ud83d")", "malformed JSON at byte 7");  // pair in the wrong order
  expect_refused("\"\xED\xA0\x80\"", "malformed JSON at byte 3");
}

TEST(JsonInput, RefusesNumbersBeyondDoubleRangeWithoutThrowing) {
  // nlohmann-json throws out_of_range (not parse_error) for these.
  for (const char* text : {"1e999", "-1e999", R"({"type": "ping", "x": 1e400})"}) {
    json_parse_result r;
    EXPECT_NO_THROW(r = parse_json(text, depth_limit)) << text;
    EXPECT_FALSE(r.value.has_value()) << text;
    EXPECT_EQ(r.error, "malformed JSON: a number is out of range") << text;
  }
}

TEST(JsonInput, AcceptsNestingUpToTheLimit) {
  for (unsigned levels : {1U, depth_limit - 1, depth_limit}) {
    auto arrays = parse_json(nested_arrays(levels), depth_limit);
    EXPECT_TRUE(arrays.value.has_value()) << levels << " levels: " << arrays.error;
    auto objects = parse_json(nested_objects(levels), depth_limit);
    EXPECT_TRUE(objects.value.has_value()) << levels << " levels: " << objects.error;
  }
}

TEST(JsonInput, RefusesNestingBeyondTheLimit) {
  expect_refused(nested_arrays(depth_limit + 1), "JSON nested deeper than 32 levels");
  expect_refused(nested_objects(depth_limit + 1), "JSON nested deeper than 32 levels");
  // Mixed arrays and objects count alike.
  std::string mixed;
  for (unsigned i = 0; i <= depth_limit; ++i) {
    mixed += i % 2 == 0 ? "[" : "{\"k\":";
  }
  expect_refused(mixed, "JSON nested deeper than 32 levels");
}

TEST(JsonInput, DepthLimitFollowsTheArgument) {
  EXPECT_TRUE(parse_json(nested_arrays(3), 3).value.has_value());
  auto r = parse_json(nested_arrays(4), 3);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.error, "JSON nested deeper than 3 levels");
  // A limit of 0 leaves only scalars.
  EXPECT_TRUE(parse_json("\"s\"", 0).value.has_value());
  EXPECT_FALSE(parse_json("[]", 0).value.has_value());
  EXPECT_FALSE(parse_json("{}", 0).value.has_value());
}

TEST(JsonInput, DepthIsRefusedBeforeTheTextIsFullyRead) {
  // Unterminated: the depth limit, not the missing brackets, is what is reported.
  expect_refused(std::string(depth_limit + 1, '['), "JSON nested deeper than 32 levels");
  // Under the limit the same text is just malformed.
  auto shallow = parse_json(std::string(3, '['), depth_limit);
  EXPECT_FALSE(shallow.value.has_value());
  EXPECT_EQ(shallow.error, "malformed JSON at byte 4");
}

TEST(JsonInput, HugeNestingFailsWithoutExhaustingTheStack) {
  // Under ASan a recursive parser would overflow the stack well before 100000 levels.
  expect_refused(std::string(100000, '['), "JSON nested deeper than 32 levels");
  expect_refused(nested_arrays(100000), "JSON nested deeper than 32 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) {
    objects += "{\"a\":";
  }
  expect_refused(objects, "JSON nested deeper than 32 levels");
}

}  // namespace
}  // namespace plexichat::net
