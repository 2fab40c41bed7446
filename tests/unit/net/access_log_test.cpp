#include "net/access_log.hpp"

#include <gtest/gtest.h>

#include "runtime/crypto.hpp"

namespace plexichat::net {
namespace {

TEST(access_log, keeps_a_sane_client_request_id_and_makes_one_otherwise) {
  ASSERT_TRUE(runtime::crypto_init());
  EXPECT_EQ(request_id("abc-123_x.y"), "abc-123_x.y");
  const std::string_view bads[] = {"", "has space", "new\nline", "quote\"",
                                   std::string_view("\0", 1)};
  for (auto bad : bads) {
    auto id = request_id(bad);
    EXPECT_EQ(id.size(), 16u) << bad;
    EXPECT_NE(id, bad);
  }
  EXPECT_EQ(request_id(std::string(65, 'a')).size(), 16u);
  EXPECT_NE(request_id(""), request_id(""));
}

TEST(access_log, paths_lose_their_query_and_cannot_forge_a_line) {
  EXPECT_EQ(log_path("/api/v1/channels?after=3"), "/api/v1/channels");
  EXPECT_EQ(log_path("/x\r\nfake=1 \"\\\x7f\xc3\xa9"), "/x??fake=1??????");
  EXPECT_EQ(log_path(""), "-");
  EXPECT_EQ(log_path(std::string(500, 'a')).size(), 200u);
}

TEST(access_log, one_line_of_key_values) {
  access_entry e{"r1", 42, "GET", "/api/v1/me", 200, 1.26, "127.0.0.1"};
  EXPECT_EQ(access_line(e),
            "http request=r1 actor=42 method=GET path=/api/v1/me status=200 ms=1.3 "
            "address=127.0.0.1");
  e.actor = 0;
  e.method = "";
  EXPECT_NE(access_line(e).find("actor=- method=-"), std::string::npos);
}

}  // namespace
}  // namespace plexichat::net
