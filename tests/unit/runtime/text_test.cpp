#include "runtime/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace plexichat::runtime {
namespace {

using namespace std::string_literals;

TEST(TextUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello, world"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9"));          // U+00E9
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest two-byte
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest three-byte
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));      // U+20AC
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest four-byte
  EXPECT_TRUE(is_valid_utf8("\xF0\x9D\x84\x9E"));  // U+1D11E
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("a\0b"s));             // U+0000 is a code point
  EXPECT_TRUE(is_valid_utf8("Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80!"));
}

TEST(TextUtf8, RejectsOverlongForms) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
}

TEST(TextUtf8, RejectsSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xAF\xBF"));              // U+DBFF
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));              // U+DC00
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 pair
}

TEST(TextUtf8, RejectsBeyondLastCodePoint) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // old five-byte form
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(TextUtf8, RejectsTruncatedAndStraySequences) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9D\x84"));
  EXPECT_FALSE(is_valid_utf8("abc\xE2"));
  EXPECT_FALSE(
      is_valid_utf8("\xE2\x82"
                    "a"));
  EXPECT_FALSE(
      is_valid_utf8("\xF0\x9D"
                    "ab"));
  EXPECT_FALSE(
      is_valid_utf8("\xF0\x9D\x84"
                    "a"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(
      is_valid_utf8("a\xBF"
                    "b"));
  EXPECT_FALSE(is_valid_utf8("\xC3\xA9\xA9"));  // one continuation too many
  // The end of the view is the end of the text, even when valid bytes follow in memory.
  const std::string euro = "\xE2\x82\xAC";
  EXPECT_FALSE(is_valid_utf8(std::string_view(euro.data(), 1)));
  EXPECT_FALSE(is_valid_utf8(std::string_view(euro.data(), 2)));
  EXPECT_TRUE(is_valid_utf8(std::string_view(euro.data(), 3)));
}

TEST(TextUtf8, CountsCodePoints) {
  EXPECT_EQ(count_code_points(""), 0U);
  EXPECT_EQ(count_code_points("abc"), 3U);
  EXPECT_EQ(count_code_points("a\xC3\xA9"), 2U);
  EXPECT_EQ(count_code_points("\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E"), 3U);
  EXPECT_EQ(count_code_points("\xF4\x8F\xBF\xBF"), 1U);
  EXPECT_EQ(count_code_points("a\0b"s), 3U);
  std::string four_thousand_euros;
  for (int i = 0; i < 4000; ++i) {
    four_thousand_euros += "\xE2\x82\xAC";
  }
  EXPECT_EQ(count_code_points(four_thousand_euros), 4000U);
}

TEST(TextUsername, LowercasesAndAcceptsTheAllowedSet) {
  EXPECT_EQ(normalize_username("Alice"), "alice");
  EXPECT_EQ(normalize_username("ABC"), "abc");
  EXPECT_EQ(normalize_username("bob_the.builder-9"), "bob_the.builder-9");
  EXPECT_EQ(normalize_username("..."), "...");
  EXPECT_EQ(normalize_username(std::string(32, 'Z')), std::string(32, 'z'));
}

TEST(TextUsername, EnforcesLength) {
  EXPECT_FALSE(normalize_username(""));
  EXPECT_FALSE(normalize_username("ab"));
  EXPECT_TRUE(normalize_username("abc"));
  EXPECT_TRUE(normalize_username(std::string(32, 'a')));
  EXPECT_FALSE(normalize_username(std::string(33, 'a')));
}

TEST(TextUsername, RejectsOtherCharacters) {
  EXPECT_FALSE(normalize_username("al ice"));
  EXPECT_FALSE(normalize_username("al@ce"));
  EXPECT_FALSE(normalize_username("al/ce"));
  EXPECT_FALSE(normalize_username("al+ce"));
  EXPECT_FALSE(
      normalize_username("al\xC3\xAF"
                         "ce"));                         // non-ASCII letter
  EXPECT_FALSE(normalize_username("\xC3\x84\xC3\x84"));  // two code points, four bytes
  EXPECT_FALSE(normalize_username("ali\0ce"s));
  EXPECT_FALSE(normalize_username("alice\n"));
  EXPECT_FALSE(normalize_username("[bob]"));  // the characters around 'A'..'Z' and 'a'..'z'
  EXPECT_FALSE(normalize_username("@bob`"));
}

TEST(TextControlChars, FindsC0ControlsExceptNewlineAndTab) {
  EXPECT_FALSE(has_control_chars(""));
  EXPECT_FALSE(has_control_chars("general chat"));
  EXPECT_FALSE(has_control_chars("line one\nline\ttwo"));
  EXPECT_FALSE(has_control_chars("caf\xC3\xA9"));
  EXPECT_FALSE(has_control_chars("\x7F"));  // DEL is not a C0 control
  EXPECT_TRUE(has_control_chars("a\rb"));
  EXPECT_TRUE(has_control_chars("\x1B[31mred"));
  EXPECT_TRUE(has_control_chars("nul\0"s));
  EXPECT_TRUE(has_control_chars("\x1F"));
  EXPECT_TRUE(has_control_chars("bell\a"));
  EXPECT_TRUE(has_control_chars("\x0B"));  // vertical tab
}

}  // namespace
}  // namespace plexichat::runtime
