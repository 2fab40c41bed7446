#include "actors/directory/totp.hpp"

#include <liboath/oath.h>

#include <cstdlib>

#include "runtime/crypto.hpp"

namespace plexichat::actors::directory {

namespace {

bool oath_ready() {
  // oath_init is not documented as thread-safe; a function-local static runs it once.
  static const bool ok = oath_init() == OATH_OK;
  return ok;
}

}  // namespace

int64_t totp_step(int64_t unix_seconds) {
  return unix_seconds < 0 ? 0 : unix_seconds / totp_period_seconds;
}

std::string totp_code(std::string_view secret, int64_t step) {
  if (!oath_ready() || step < 0) {
    return {};
  }
  char out[totp_digits + 1] = {};
  auto now = static_cast<time_t>(step * totp_period_seconds);
  auto rc = oath_totp_generate(secret.data(), secret.size(), now, totp_period_seconds,
                               OATH_TOTP_DEFAULT_START_TIME, totp_digits, out);
  return rc == OATH_OK ? std::string(out, totp_digits) : std::string{};
}

std::optional<int64_t> totp_match(std::string_view secret, std::string_view code,
                                  int64_t now_seconds, int64_t last_step) {
  if (code.size() != totp_digits) {
    return std::nullopt;
  }
  auto current = totp_step(now_seconds);
  // The current step first, then the one before: never later ones, never older ones.
  for (auto step : {current, current - 1}) {
    if (step <= last_step || step < 0) {
      continue;
    }
    auto expected = totp_code(secret, step);
    if (!expected.empty() && runtime::equal_constant_time(expected, code)) {
      return step;
    }
  }
  return std::nullopt;
}

std::string base32_encode(std::string_view bytes) {
  if (!oath_ready()) {
    return {};
  }
  char* out = nullptr;
  std::size_t length = 0;
  if (oath_base32_encode(bytes.data(), bytes.size(), &out, &length) != OATH_OK || out == nullptr) {
    return {};
  }
  std::string text(out, length);
  std::free(out);
  while (!text.empty() && text.back() == '=') {
    text.pop_back();
  }
  return text;
}

std::string otpauth_uri(std::string_view username, std::string_view base32_secret) {
  std::string issuer{totp_issuer};
  return "otpauth://totp/" + issuer + ":" + std::string{username} +
         "?secret=" + std::string{base32_secret} + "&issuer=" + issuer +
         "&algorithm=SHA1&digits=" + std::to_string(totp_digits) +
         "&period=" + std::to_string(totp_period_seconds);
}

}  // namespace plexichat::actors::directory
