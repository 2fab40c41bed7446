#include "actors/api_error.hpp"

#include <gtest/gtest.h>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

#include <string>
#include <utility>
#include <vector>

namespace plexichat::actors {
namespace {

struct code_case {
  api_errc code;
  std::string_view name;
  int status;
};

const std::vector<code_case> kCodes = {
    {api_errc::invalid_request, "invalid_request", 400},
    {api_errc::unauthorized, "unauthorized", 401},
    {api_errc::forbidden, "forbidden", 403},
    {api_errc::not_found, "not_found", 404},
    {api_errc::conflict, "conflict", 409},
    {api_errc::too_large, "too_large", 413},
    {api_errc::rate_limited, "rate_limited", 429},
    {api_errc::unavailable, "unavailable", 503},
    {api_errc::internal, "internal", 500},
};

TEST(ApiErrorTest, CodeNamesAreTheProtocols) {
  for (const auto& c : kCodes) {
    EXPECT_EQ(code_name(c.code), c.name);
  }
}

TEST(ApiErrorTest, HttpStatuses) {
  for (const auto& c : kCodes) {
    EXPECT_EQ(http_status(c.code), c.status) << c.name;
  }
}

TEST(ApiErrorTest, UnknownCodeIsInternal) {
  auto bogus = static_cast<api_errc>(200);
  EXPECT_EQ(code_name(bogus), "internal");
  EXPECT_EQ(http_status(bogus), 500);
}

TEST(ApiErrorTest, RoundTripKeepsCodeAndMessage) {
  for (const auto& c : kCodes) {
    auto err = make_error(c.code, "because " + std::string{c.name});
    EXPECT_TRUE(static_cast<bool>(err)) << "an api error is an error";
    auto back = to_api_error(err);
    EXPECT_EQ(back.code, c.code);
    EXPECT_EQ(back.message, "because " + std::string{c.name});
  }
}

TEST(ApiErrorTest, RoundTripOfEmptyMessage) {
  auto back = to_api_error(make_error(api_errc::conflict, ""));
  EXPECT_EQ(back.code, api_errc::conflict);
  EXPECT_EQ(back.message, "");
}

TEST(ApiErrorTest, RoundTripSurvivesCopies) {
  caf::error copy;
  {
    auto err = make_error(api_errc::forbidden, "members only");
    copy = err;
  }
  auto back = to_api_error(copy);
  EXPECT_EQ(back.code, api_errc::forbidden);
  EXPECT_EQ(back.message, "members only");
}

TEST(ApiErrorTest, CafErrorsAreUnavailable) {
  for (auto sec : {caf::sec::request_receiver_down, caf::sec::request_timeout,
                   caf::sec::unexpected_response}) {
    auto back = to_api_error(caf::make_error(sec));
    EXPECT_EQ(back.code, api_errc::unavailable) << to_string(caf::make_error(sec));
    EXPECT_FALSE(back.message.empty());
  }
}

TEST(ApiErrorTest, ForeignCategoryWithSameCodeIsUnavailable) {
  caf::error foreign{static_cast<uint8_t>(api_errc::not_found), caf::atom("other"),
                     caf::make_message(std::string{"x"})};
  EXPECT_EQ(to_api_error(foreign).code, api_errc::unavailable);
}

TEST(ApiErrorTest, ApiErrorWithoutStringContextHasEmptyMessage) {
  caf::error odd{static_cast<uint8_t>(api_errc::conflict), caf::atom("api"), caf::make_message(42)};
  auto back = to_api_error(odd);
  EXPECT_EQ(back.code, api_errc::conflict);
  EXPECT_EQ(back.message, "");
}

}  // namespace
}  // namespace plexichat::actors
