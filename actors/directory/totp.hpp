#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// RFC 6238 time-based one-time passwords as PlexiChat uses them: HMAC-SHA1, 6 digits, 30 s
/// steps from the Unix epoch, computed by liboath. Every function is pure apart from
/// liboath's one-time initialisation, and safe to call from any thread; HMAC of a few bytes
/// costs microseconds, so actor threads may call them.
namespace plexichat::actors::directory {

inline constexpr int64_t totp_period_seconds = 30;
inline constexpr unsigned totp_digits = 6;
/// The issuer shown by authenticator apps.
inline constexpr std::string_view totp_issuer = "PlexiChat";

/// The time step of `unix_seconds` (floor division by the period; 0 for earlier times).
int64_t totp_step(int64_t unix_seconds);

/// The 6-digit code of the raw key `secret` at time step `step`. Empty if liboath fails.
std::string totp_code(std::string_view secret, int64_t step);

/// The step `code` belongs to, if it is the code of the current step of `now_seconds` or of
/// the one before, and that step is later than `last_step` (so a step is accepted once).
/// Anything else (other text, an older step, a reused step) gives nullopt. Compares in
/// constant time.
std::optional<int64_t> totp_match(std::string_view secret, std::string_view code,
                                  int64_t now_seconds, int64_t last_step);

/// RFC 4648 base32 (A-Z2-7) of `bytes` without '=' padding, by liboath.
std::string base32_encode(std::string_view bytes);

/// The otpauth:// URI of Google Authenticator's key URI format for `username`'s key
/// (`base32_secret`), with issuer PlexiChat, SHA1, 6 digits and period 30. Usernames are
/// [a-z0-9_.-] (validated by the net layer), so they need no escaping.
std::string otpauth_uri(std::string_view username, std::string_view base32_secret);

}  // namespace plexichat::actors::directory
