#pragma once

// Helpers shared by the rest_parser tests: build a request, run parse_rest with the default
// limits, and check the call or the refusal.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "net/rest_parser.hpp"

namespace plexichat::net::rest_test {

using actors::api_errc;
using actors::session::rest_call;
using actors::session::rest_route;
using nlohmann::json;

inline const config::limits_config limits{};

inline std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += unit;
  }
  return s;
}

inline auto parse(std::string_view method, std::string_view target, std::string_view body = {},
                  std::string_view authorization = {}) {
  return parse_rest({method, target, authorization, body}, limits);
}

/// The call, failing the test if the request was refused.
inline rest_call accepted(std::string_view method, std::string_view target,
                          std::string_view body = {}, std::string_view authorization = {}) {
  auto r = parse(method, target, body, authorization);
  if (auto* refusal = std::get_if<rest_refusal>(&r)) {
    ADD_FAILURE() << method << " " << target << " " << body << " refused " << refusal->status
                  << ": " << refusal->error.message;
    return {};
  }
  return std::get<rest_call>(r);
}

/// The refusal, failing the test if the request was accepted.
inline rest_refusal refused(std::string_view method, std::string_view target,
                            std::string_view body = {}) {
  auto r = parse(method, target, body);
  if (!std::holds_alternative<rest_refusal>(r)) {
    ADD_FAILURE() << method << " " << target << " " << body << " was accepted";
    return {};
  }
  return std::get<rest_refusal>(r);
}

inline void expect_refused(std::string_view method, std::string_view target, std::string_view body,
                           int status, api_errc code, std::string_view message) {
  SCOPED_TRACE(std::string{method} + " " + std::string{target} + " " + std::string{body});
  auto r = refused(method, target, body);
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.error.code, code);
  EXPECT_EQ(r.error.message, message);
  EXPECT_EQ(r.allow, "");
}

inline void expect_invalid(std::string_view method, std::string_view target, const json& body,
                           std::string_view message) {
  expect_refused(method, target, body.dump(), 400, api_errc::invalid_request, message);
}

inline const std::string messages_path = "/api/v1/channels/c1/messages";
inline const std::string username_rule = "username must be 3 to 32 characters of a-z, 0-9, _ . -";

}  // namespace plexichat::net::rest_test
