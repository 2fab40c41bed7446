#pragma once

#include <string_view>
#include <variant>

#include "actors/api_error.hpp"
#include "actors/node_context.hpp"
#include "runtime/token.hpp"

namespace plexichat::actors::session {

/// Checks a bearer token: signature, expiry, and revocation by logout. Runs in the calling
/// thread (an Ed25519 verification and a shared-lock lookup; no I/O).
std::variant<runtime::token_claims, api_error> authenticate(const node_context& ctx,
                                                            std::string_view token);

}  // namespace plexichat::actors::session
