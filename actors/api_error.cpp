#include "actors/api_error.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace plexichat::actors {

namespace {

constexpr auto category = caf::atom("api");

}  // namespace

std::string_view code_name(api_errc code) {
  switch (code) {
    case api_errc::invalid_request:
      return "invalid_request";
    case api_errc::unauthorized:
      return "unauthorized";
    case api_errc::forbidden:
      return "forbidden";
    case api_errc::not_found:
      return "not_found";
    case api_errc::conflict:
      return "conflict";
    case api_errc::too_large:
      return "too_large";
    case api_errc::rate_limited:
      return "rate_limited";
    case api_errc::unavailable:
      return "unavailable";
    case api_errc::mfa_required:
      return "mfa_required";
    case api_errc::internal:
      break;
  }
  return "internal";
}

int http_status(api_errc code) {
  switch (code) {
    case api_errc::invalid_request:
      return 400;
    case api_errc::unauthorized:
    case api_errc::mfa_required:
      return 401;
    case api_errc::forbidden:
      return 403;
    case api_errc::not_found:
      return 404;
    case api_errc::conflict:
      return 409;
    case api_errc::too_large:
      return 413;
    case api_errc::rate_limited:
      return 429;
    case api_errc::unavailable:
      return 503;
    case api_errc::internal:
      break;
  }
  return 500;
}

caf::error make_error(api_errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), category, caf::make_message(std::move(message))};
}

api_error to_api_error(const caf::error& err) {
  if (err.category() != category) {
    return {api_errc::unavailable, "the node could not complete the request; try again"};
  }
  api_error result{static_cast<api_errc>(err.code()), {}};
  if (err.context().match_elements<std::string>()) {
    result.message = err.context().get_as<std::string>(0);
  }
  return result;
}

}  // namespace plexichat::actors
