#include "net/account_bodies.hpp"

#include <string>

#include "net/field_checks.hpp"
#include "runtime/text.hpp"

namespace plexichat::net {

namespace {

using actors::api_error;
using actors::session::rest_call;
using actors::session::rest_route;
using nlohmann::json;

std::optional<api_error> read_code(const json& b, const char* key, std::string& out) {
  if (auto e = fields::get_string(b, key, out)) {
    return e;
  }
  if (out.empty() || out.size() > max_code_bytes) {
    return fields::invalid(std::string{"field \""} + key + "\" must be 1 to " +
                           std::to_string(max_code_bytes) + " bytes");
  }
  return std::nullopt;
}

std::optional<api_error> check_password(const char* key, const std::string& value,
                                        const config::limits_config& limits, bool is_new) {
  if (value.size() > limits.max_password_bytes || !runtime::is_valid_utf8(value)) {
    return fields::invalid(std::string{key} + " must be valid UTF-8 of at most " +
                           std::to_string(limits.max_password_bytes) + " bytes");
  }
  if (is_new && runtime::count_code_points(value) < limits.min_password_chars) {
    return fields::invalid(std::string{key} + " must be at least " +
                           std::to_string(limits.min_password_chars) + " characters");
  }
  return std::nullopt;
}

std::optional<api_error> read_password_change(const json& b, rest_call& c,
                                              const config::limits_config& limits) {
  if (auto e = fields::get_string(b, "old_password", c.password))
    return e;
  if (auto e = fields::get_string(b, "new_password", c.new_password))
    return e;
  if (auto e = check_password("old_password", c.password, limits, false))
    return e;
  return check_password("new_password", c.new_password, limits, true);
}

}  // namespace

bool is_account_body_route(rest_route route) {
  return route == rest_route::totp_confirm || route == rest_route::totp_disable ||
         route == rest_route::change_password;
}

std::optional<api_error> read_account_body(const json& b, rest_call& c,
                                           const config::limits_config& limits) {
  switch (c.route) {
    case rest_route::totp_confirm:
      return read_code(b, "code", c.code);
    case rest_route::totp_disable:
      if (auto e = fields::get_string(b, "password", c.password))
        return e;
      if (auto e = check_password("password", c.password, limits, false))
        return e;
      return read_code(b, "code", c.code);
    case rest_route::change_password:
      return read_password_change(b, c, limits);
    default:
      return std::nullopt;
  }
}

std::optional<api_error> read_login_otp(const json& b, rest_call& c) {
  if (auto e = fields::get_optional_string(b, "otp", c.otp)) {
    return e;
  }
  if (c.otp.size() > max_code_bytes) {
    return fields::invalid("field \"otp\" must be at most " + std::to_string(max_code_bytes) +
                           " bytes");
  }
  return std::nullopt;
}

std::optional<api_error> read_revoke_query(std::string_view query, rest_call& c) {
  return fields::for_each_query_pair(
      query, [&c](std::string_view key, std::string_view value) -> std::optional<api_error> {
        if (key != "keep_current") {
          return std::nullopt;
        }
        if (value != "true" && value != "false") {
          return fields::invalid("keep_current must be true or false");
        }
        c.keep_current = value == "true";
        return std::nullopt;
      });
}

}  // namespace plexichat::net
