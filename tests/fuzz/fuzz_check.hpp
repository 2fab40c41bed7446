#pragma once

// Invariant checks shared by the fuzz targets: a failed check prints what broke and aborts,
// which libFuzzer reports as a crash and saves the input.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "actors/api_error.hpp"
#include "runtime/text.hpp"

namespace plexichat::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}

/// True for the codes PROTOCOL.md lists (every api_errc but internal).
inline bool is_protocol_code(actors::api_errc code) {
  auto name = actors::code_name(code);
  return name == "invalid_request" || name == "unauthorized" || name == "forbidden" ||
         name == "not_found" || name == "conflict" || name == "too_large" ||
         name == "rate_limited" || name == "unavailable";
}

/// An error a client may get for bad input: a protocol code with a 4xx status and a message
/// for a person that is valid UTF-8 (it goes into a JSON string).
inline bool is_client_error(const actors::api_error& e) {
  auto status = actors::http_status(e.code);
  return is_protocol_code(e.code) && status >= 400 && status < 500 && !e.message.empty() &&
         runtime::is_valid_utf8(e.message);
}

/// A nonce as PROTOCOL.md allows it: 1..128 bytes of printable ASCII.
inline bool is_valid_nonce(std::string_view s) {
  if (s.empty() || s.size() > 128) {
    return false;
  }
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

/// Text of min..max code points of valid UTF-8; without C0 control characters (tab and newline
/// included) unless `allow_newlines`, which (as net/field_checks.cpp does for message content)
/// lets every control character through.
inline bool is_valid_text(std::string_view s, std::size_t min, std::size_t max,
                          bool allow_newlines) {
  if (!runtime::is_valid_utf8(s)) {
    return false;
  }
  auto n = runtime::count_code_points(s);
  if (n < min || n > max) {
    return false;
  }
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && !allow_newlines) {
      return false;
    }
  }
  return true;
}

}  // namespace plexichat::fuzz

#define FUZZ_CHECK(cond)                                  \
  do {                                                    \
    if (!(cond)) {                                        \
      ::plexichat::fuzz::fail(#cond, __FILE__, __LINE__); \
    }                                                     \
  } while (false)
