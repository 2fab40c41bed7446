#include "actors/session/authenticate.hpp"

#include "runtime/clock.hpp"

namespace plexichat::actors::session {

std::variant<runtime::token_claims, api_error> authenticate(const node_context& ctx,
                                                            std::string_view token) {
  if (token.empty()) {
    return api_error{api_errc::unauthorized, "missing bearer token"};
  }
  auto verified =
      ctx.token_keys == nullptr
          ? ctx.signer->verify(token, runtime::now_seconds())
          : runtime::verify_token_of_issuer(
                token, runtime::now_seconds(),
                [keys = ctx.token_keys](std::string_view iss) { return keys->find(iss); });
  if (auto* err = std::get_if<runtime::token_error>(&verified)) {
    return api_error{api_errc::unauthorized,
                     "invalid token: " + std::string{runtime::to_string(*err)}};
  }
  auto& claims = std::get<runtime::token_claims>(verified);
  if (ctx.revocations->is_revoked(claims.token_id)) {
    return api_error{api_errc::unauthorized, "token was revoked"};
  }
  return std::move(claims);
}

}  // namespace plexichat::actors::session
