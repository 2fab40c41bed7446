#pragma once

// The public token keys of a cluster's nodes, by node name (a token's "iss"). Filled at
// start from the node's own key and the peers' keys stored in the database, then by the
// directory actor as peers announce theirs over the cluster link; read on every
// authenticated request from any thread.

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace plexichat::runtime {

/// The meta key under which a node stores the keys it knows (encode_token_keys).
inline constexpr std::string_view token_keys_meta_key = "token_keys";

class token_keys {
 public:
  /// Sets `issuer`'s public key (32 raw bytes); true when it was unknown or different.
  bool set(const std::string& issuer, const std::string& public_key);

  std::optional<std::string> find(std::string_view issuer) const;

  /// Every known key, by issuer.
  std::map<std::string, std::string> all() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::string, std::less<>> keys_;
};

/// The stored form of a set of keys: a JSON object {issuer: base64url(key)}.
std::string encode_token_keys(const std::map<std::string, std::string>& keys);

/// Inverse of encode_token_keys; nullopt for anything else (not JSON, not an object of
/// strings, a key that is not base64url of 32 bytes).
std::optional<std::map<std::string, std::string>> decode_token_keys(std::string_view text);

}  // namespace plexichat::runtime
