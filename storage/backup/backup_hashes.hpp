#pragma once

#include <string>
#include <string_view>

/// The hashes of the backup format, with OpenSSL's SHA-256 (which uses the CPU's SHA
/// extensions where it has them: on this kind of machine about twice libsodium's BLAKE2b).
/// Plain functions, safe on any thread.
namespace plexichat::storage::backup {

/// HMAC-SHA-256 of `message` under `key`: 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

/// SHA-256 of the byte `prefix` followed by `message`: 32 bytes (no copy of `message`).
std::string sha256_prefixed(char prefix, std::string_view message);

}  // namespace plexichat::storage::backup
