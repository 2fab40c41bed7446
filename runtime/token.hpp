#pragma once

// Session tokens: JWTs (RFC 7519) in JWS compact form signed with Ed25519, JWS algorithm
// "EdDSA" (RFC 8037). Each node signs with its own key and names itself in "iss"; in a
// cluster, nodes learn each other's public keys over the authenticated cluster link
// (runtime/token_keys.hpp) and verify a token with its issuer's key
// (verify_token_of_issuer). Revocation (logout) is the directory's business and is keyed by
// the token id.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/crypto.hpp"

namespace plexichat::runtime {

/// The claims a token carries. Times are seconds since the Unix epoch, as JWT has them.
struct token_claims {
  std::string user_id;     ///< "sub"
  std::string username;    ///< "name"
  std::string token_id;    ///< "jti", random_id("t")
  std::string issuer;      ///< "iss", the node name
  int64_t issued_at = 0;   ///< "iat", seconds
  int64_t expires_at = 0;  ///< "exp", seconds

  friend bool operator==(const token_claims&, const token_claims&) = default;
};

/// Why token_signer::verify refused a token.
enum class token_error {
  malformed,
  bad_algorithm,
  bad_signature,
  expired,
  not_yet_valid,
  unknown_issuer
};

/// "malformed", "bad_algorithm", "bad_signature", "expired", "not_yet_valid" or
/// "unknown_issuer".
std::string_view to_string(token_error error);

/// Longest token verify() looks at; anything longer is malformed.
inline constexpr std::size_t max_token_size = 4096;

/// Clock skew verify() tolerates on "iat", in seconds.
inline constexpr int64_t token_clock_skew_seconds = 60;

/// Issues and verifies tokens with one Ed25519 key. Immutable after construction, so one
/// instance may be shared by any number of threads. Both calls are fast (microseconds)
/// and may run on actor threads.
class token_signer {
 public:
  /// `key` should satisfy is_well_formed(); with a malformed key issue() produces tokens
  /// that verify() refuses as bad_signature.
  explicit token_signer(signing_key key);

  /// Header {"alg":"EdDSA","typ":"JWT"}; returns base64url(header).base64url(payload).
  /// base64url(signature), payload {"sub","name","jti","iss","iat","exp"}. Strings that
  /// are not valid UTF-8 have their bad bytes replaced by U+FFFD. Throws only std::bad_alloc.
  [[nodiscard]] std::string issue(const token_claims& claims) const;

  /// Checks, in this order: size (at most max_token_size bytes), structure (exactly 3
  /// parts, each valid unpadded base64url, payload not empty, header a JSON object without
  /// "crit") ->
  /// malformed; header "alg" exactly "EdDSA" (so never "none" nor HMAC) -> bad_algorithm;
  /// the 64-byte Ed25519 signature over "header.payload" -> bad_signature; payload a JSON
  /// object with string "sub" (non-empty), "name", "jti" (non-empty), "iss" and integer
  /// "iat", "exp" -> malformed; exp > now_seconds -> expired; iat <= now_seconds +
  /// token_clock_skew_seconds -> not_yet_valid. Never throws.
  [[nodiscard]] std::variant<token_claims, token_error> verify(std::string_view token,
                                                               int64_t now_seconds) const;

  /// The public half, for peers and diagnostics.
  [[nodiscard]] const std::string& public_key() const { return key_.public_key; }

 private:
  signing_key key_;
};

/// The public key of a token issuer (a node name), if known.
using issuer_key_lookup = std::function<std::optional<std::string>(std::string_view issuer)>;

/// Verifies a token signed by any node: reads "iss" from the payload (not yet trusted: a
/// token that is not well formed enough to name a string issuer -> malformed, after the
/// size, structure and "alg" checks of token_signer::verify), asks `key_of` for that
/// issuer's public key (none -> unknown_issuer), then checks the token exactly as
/// token_signer::verify does with that key. Never throws (unless `key_of` does).
[[nodiscard]] std::variant<token_claims, token_error> verify_token_of_issuer(
    std::string_view token, int64_t now_seconds, const issuer_key_lookup& key_of);

}  // namespace plexichat::runtime
