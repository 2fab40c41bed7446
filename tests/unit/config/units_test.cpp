#include "config/units.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "config/config_error.hpp"

namespace plexichat::config {
namespace {

using std::chrono::milliseconds;

using test_support::error_of;

TEST(Units, DurationUnits) {
  EXPECT_EQ(parse_duration("250ms", "k"), milliseconds(250));
  EXPECT_EQ(parse_duration("10s", "k"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("5m", "k"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("24h", "k"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("7d", "k"), milliseconds(604'800'000));
  EXPECT_EQ(parse_duration("0ms", "k"), milliseconds(0));
  EXPECT_EQ(parse_duration("007s", "k"), milliseconds(7'000));
}

TEST(Units, BareDurationMeansSeconds) {
  EXPECT_EQ(parse_duration("10", "k"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("0", "k"), milliseconds(0));
}

TEST(Units, DurationRejectsBadSyntaxNamingTheKey) {
  for (const char* bad : {"", "s", "10x", "10 s", " 10s", "10S", "10sec", "-5s", "+5s", "1.5s",
                          "10s5", "5m30s", "ms", "0x10", "1e3"}) {
    const config_error e = error_of([&] { parse_duration(bad, "limits.auth_timeout"); });
    EXPECT_EQ(e.key(), "limits.auth_timeout") << bad;
    EXPECT_NE(std::string(e.what()).find("config: limits.auth_timeout: must be a duration"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find("'" + std::string(bad) + "'"), std::string::npos) << e.what();
  }
}

TEST(Units, DurationOverflowIsAnError) {
  // 2^63 ms is one past the largest milliseconds value; days overflow much sooner.
  EXPECT_EQ(parse_duration("9223372036854775807ms", "k"),
            milliseconds(std::numeric_limits<std::int64_t>::max()));
  for (const char* big : {"9223372036854775808ms", "106751991167301d", "9223372036854776s",
                          "99999999999999999999999", "18446744073709551616ms"}) {
    const config_error e = error_of([&] { parse_duration(big, "auth.token_ttl"); });
    EXPECT_EQ(e.key(), "auth.token_ttl");
    EXPECT_NE(e.reason().find("too large"), std::string::npos) << big << ": " << e.what();
  }
  EXPECT_EQ(parse_duration("106751991167d", "k").count(), 106751991167LL * 86'400'000);
}

TEST(Units, SizeUnits) {
  EXPECT_EQ(parse_size("0", "k"), 0u);
  EXPECT_EQ(parse_size("65536", "k"), 65536u);
  EXPECT_EQ(parse_size("12B", "k"), 12u);
  EXPECT_EQ(parse_size("64KiB", "k"), 64u * 1024);
  EXPECT_EQ(parse_size("1MiB", "k"), 1024u * 1024);
  EXPECT_EQ(parse_size("2GiB", "k"), 2ull << 30);
}

TEST(Units, SizeRejectsBadUnitsNamingTheKey) {
  for (const char* bad : {"", "KiB", "64KB", "64kb", "64k", "64kib", "64 KiB", "1.5MiB", "-1",
                          "1TiB", "64KiBs", "0x40"}) {
    const config_error e = error_of([&] { parse_size(bad, "limits.max_body_bytes"); });
    EXPECT_EQ(e.key(), "limits.max_body_bytes") << bad;
    EXPECT_NE(e.reason().find("must be a size in bytes"), std::string::npos) << e.what();
  }
}

TEST(Units, SizeOverflowIsAnError) {
  EXPECT_EQ(parse_size("18446744073709551615", "k"), std::numeric_limits<std::size_t>::max());
  for (const char* big : {"18446744073709551616", "17179869184GiB", "18014398509481984KiB"}) {
    const config_error e = error_of([&] { parse_size(big, "limits.max_frame_bytes"); });
    EXPECT_NE(e.reason().find("too large"), std::string::npos) << big << ": " << e.what();
  }
  EXPECT_EQ(parse_size("17179869183GiB", "k"), 17179869183ull << 30);
}

TEST(Units, FormatPicksTheLargestExactUnitAndRoundTrips) {
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(60'000)), "1m");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(604'800'000)), "7d");
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
  EXPECT_EQ(format_size(65536), "64KiB");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(3ull << 30), "3GiB");
  for (const std::int64_t ms : {1LL, 999LL, 1000LL, 3'600'000LL, 86'400'001LL}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms)), "k"), milliseconds(ms));
  }
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{1023}, std::size_t{1} << 20}) {
    EXPECT_EQ(parse_size(format_size(bytes), "k"), bytes);
  }
}

}  // namespace
}  // namespace plexichat::config
