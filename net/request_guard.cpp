#include "net/request_guard.hpp"

#include "actors/wire.hpp"

namespace plexichat::net {

using actors::session::rest_reply;

rest_reply rate_limited_reply(long retry_after, const std::string& message) {
  return {429,
          actors::wire::error_body({actors::api_errc::rate_limited, message}),
          {{"Retry-After", std::to_string(retry_after)}}};
}

std::optional<rest_reply> check_address(runtime::request_limits* limits,
                                        const std::string& address) {
  if (limits == nullptr) {
    return std::nullopt;
  }
  if (auto wait = limits->take_address(address)) {
    return rate_limited_reply(*wait, "too many requests from this address; retry later");
  }
  return std::nullopt;
}

std::optional<rest_reply> admit_login(runtime::request_limits* limits,
                                      const actors::session::rest_call& call,
                                      actors::session::rest_responder& reply) {
  if (limits == nullptr || call.route != actors::session::rest_route::login) {
    return std::nullopt;
  }
  if (auto wait = limits->admit_login(call.username, call.remote_address)) {
    // The same answer whether or not the user exists, and before any password check.
    return rate_limited_reply(*wait, "too many failed logins; retry later");
  }
  reply = [limits, user = call.username, address = call.remote_address,
           inner = std::move(reply)](rest_reply r) {
    const auto outcome = r.status == 200   ? runtime::login_outcome::succeeded
                         : r.status == 401 ? runtime::login_outcome::failed
                                           : runtime::login_outcome::other;
    limits->finish_login(user, address, outcome);
    inner(std::move(r));
  };
  return std::nullopt;
}

}  // namespace plexichat::net
