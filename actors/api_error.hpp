#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace plexichat::actors {

/// The protocol's error codes (PROTOCOL.md "Transport"). Travels between actors as a
/// caf::error of category "api" whose context holds the message for a person.
enum class api_errc : uint8_t {
  invalid_request = 1,
  unauthorized,
  forbidden,
  not_found,
  conflict,
  too_large,
  rate_limited,
  unavailable,
  internal,
  mfa_required,  ///< 401: the password was right and the account needs a second factor
};

/// An error for the client: its code and a message for a person.
struct api_error {
  api_errc code = api_errc::internal;
  std::string message;
};

/// snake_case name of a code, as sent in `{"error": {"code": ...}}`.
std::string_view code_name(api_errc code);

/// The HTTP status that goes with a code.
int http_status(api_errc code);

/// Wraps an api error into a caf::error (category "api").
caf::error make_error(api_errc code, std::string message);

/// Turns any caf::error an actor answered with into an api_error; errors from CAF itself
/// (a stopped actor, a timeout) become `unavailable`.
api_error to_api_error(const caf::error& err);

}  // namespace plexichat::actors
