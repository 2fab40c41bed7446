#include "runtime/token.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace plexichat::runtime {

namespace {

using json = nlohmann::json;

constexpr std::string_view kHeader = R"({"alg":"EdDSA","typ":"JWT"})";
constexpr std::string_view kAlgorithm = "EdDSA";

struct token_parts {
  std::string_view signed_part;  // "header.payload" exactly as received
  json header;
  std::string payload;
  std::string signature;
};

std::optional<json> parse_object(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) {
    return std::nullopt;
  }
  return value;
}

std::optional<token_parts> split_token(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = base64url_decode(token.substr(0, first));
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !payload || !signature || payload->empty()) {
    return std::nullopt;
  }
  auto header_json = parse_object(*header);
  if (!header_json) {
    return std::nullopt;
  }
  return token_parts{token.substr(0, second), std::move(*header_json), std::move(*payload),
                     std::move(*signature)};
}

std::optional<std::string> string_claim(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<int64_t> integer_claim(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) {
    return std::nullopt;
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(value);
  }
  if (it->is_number_integer()) {
    return it->get<int64_t>();
  }
  return std::nullopt;
}

std::optional<token_claims> claims_from(const std::string& payload_text) {
  const auto payload = parse_object(payload_text);
  if (!payload) {
    return std::nullopt;
  }
  auto sub = string_claim(*payload, "sub");
  auto name = string_claim(*payload, "name");
  auto jti = string_claim(*payload, "jti");
  auto iss = string_claim(*payload, "iss");
  const auto iat = integer_claim(*payload, "iat");
  const auto exp = integer_claim(*payload, "exp");
  if (!sub || !name || !jti || !iss || !iat || !exp || sub->empty() || jti->empty()) {
    return std::nullopt;
  }
  return token_claims{
      std::move(*sub), std::move(*name), std::move(*jti), std::move(*iss), *iat, *exp};
}

bool issued_in_future(int64_t issued_at, int64_t now_seconds) {
  // Written so that now_seconds + skew cannot overflow.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return now_seconds <= kMax - token_clock_skew_seconds &&
         issued_at > now_seconds + token_clock_skew_seconds;
}

/// The size, structure and algorithm checks every reader of a token makes first: the parts,
/// or malformed / bad_algorithm.
std::variant<token_parts, token_error> checked_parts(std::string_view token) {
  if (token.size() > max_token_size) {
    return token_error::malformed;
  }
  auto parts = split_token(token);
  // "crit" names header extensions that must be understood; this verifier knows none.
  if (!parts || parts->header.contains("crit")) {
    return token_error::malformed;
  }
  const auto alg = parts->header.find("alg");
  if (alg == parts->header.end() || !alg->is_string() || alg->get<std::string>() != kAlgorithm) {
    return token_error::bad_algorithm;
  }
  return std::move(*parts);
}

std::variant<token_claims, token_error> verify_token(std::string_view token, int64_t now_seconds,
                                                     std::string_view public_key) {
  auto checked = checked_parts(token);
  if (auto* err = std::get_if<token_error>(&checked)) {
    return *err;
  }
  const auto& parts = std::get<token_parts>(checked);
  if (!verify_detached(parts.signature, parts.signed_part, public_key)) {
    return token_error::bad_signature;
  }
  auto claims = claims_from(parts.payload);
  if (!claims) {
    return token_error::malformed;
  }
  if (claims->expires_at <= now_seconds) {
    return token_error::expired;
  }
  if (issued_in_future(claims->issued_at, now_seconds)) {
    return token_error::not_yet_valid;
  }
  return std::move(*claims);
}

/// The "iss" a token claims, before its signature is checked; malformed (or bad_algorithm)
/// when the token cannot name one.
std::variant<std::string, token_error> claimed_issuer(std::string_view token) {
  auto checked = checked_parts(token);
  if (auto* err = std::get_if<token_error>(&checked)) {
    return *err;
  }
  const auto payload = parse_object(std::get<token_parts>(checked).payload);
  auto iss = payload ? string_claim(*payload, "iss") : std::nullopt;
  if (!iss) {
    return token_error::malformed;
  }
  return std::move(*iss);
}

}  // namespace

std::variant<token_claims, token_error> verify_token_of_issuer(std::string_view token,
                                                               int64_t now_seconds,
                                                               const issuer_key_lookup& key_of) {
  std::variant<std::string, token_error> issuer;
  try {
    issuer = claimed_issuer(token);
  } catch (...) {
    return token_error::malformed;
  }
  if (auto* err = std::get_if<token_error>(&issuer)) {
    return *err;
  }
  auto key = key_of(std::get<std::string>(issuer));
  if (!key) {
    return token_error::unknown_issuer;
  }
  try {
    // The signed payload is the one read above, so the key used is the claimed issuer's.
    return verify_token(token, now_seconds, *key);
  } catch (...) {
    return token_error::malformed;
  }
}

std::string_view to_string(token_error error) {
  switch (error) {
    case token_error::malformed:
      return "malformed";
    case token_error::bad_algorithm:
      return "bad_algorithm";
    case token_error::bad_signature:
      return "bad_signature";
    case token_error::expired:
      return "expired";
    case token_error::not_yet_valid:
      return "not_yet_valid";
    case token_error::unknown_issuer:
      return "unknown_issuer";
  }
  return "unknown";
}

token_signer::token_signer(signing_key key) : key_(std::move(key)) {}

std::string token_signer::issue(const token_claims& claims) const {
  const json payload = {{"sub", claims.user_id},   {"name", claims.username},
                        {"jti", claims.token_id},  {"iss", claims.issuer},
                        {"iat", claims.issued_at}, {"exp", claims.expires_at}};
  const std::string payload_text = payload.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string signed_part = base64url_encode(kHeader) + "." + base64url_encode(payload_text);
  return signed_part + "." + base64url_encode(sign_detached(signed_part, key_));
}

std::variant<token_claims, token_error> token_signer::verify(std::string_view token,
                                                             int64_t now_seconds) const {
  try {
    return verify_token(token, now_seconds, key_.public_key);
  } catch (...) {
    // Only allocation failure can get here; a token we cannot examine is not accepted.
    return token_error::malformed;
  }
}

}  // namespace plexichat::runtime
