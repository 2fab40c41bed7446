#pragma once

// The project's only door to libsodium: randomness, ids, base64url, password hashing,
// constant-time comparison and Ed25519 signatures. Only runtime/crypto.cpp includes
// <sodium.h>. Byte strings are carried in std::string / std::string_view.
//
// Threading: every function is safe to call from any thread at the same time. Each one
// initialises libsodium on first use; if libsodium cannot be initialised at all (no
// kernel randomness), the functions that need it terminate the process, since there is
// no safe way to go on. A node calls crypto_init() at startup to report that case cleanly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::runtime {

/// Initialises libsodium once (thread-safe, idempotent); returns false if it cannot.
bool crypto_init();

/// `n` bytes from the kernel's cryptographic random generator.
std::string random_bytes(std::size_t n);

/// An opaque id: `prefix` followed by 20 lowercase base32 characters (100 random bits),
/// e.g. "u" + "k3j...". Alphabet: a-z2-7.
std::string random_id(std::string_view prefix);

/// RFC 4648 §5 base64url without padding.
std::string base64url_encode(std::string_view bytes);

/// Inverse of base64url_encode. nullopt for padding ('='), characters outside the url-safe
/// alphabet (including whitespace), impossible lengths, and non-zero unused trailing bits
/// (so every byte string has exactly one accepted encoding).
std::optional<std::string> base64url_decode(std::string_view text);

/// A 64-bit hash of `bytes` that every node and every version computes the same way
/// (unkeyed BLAKE2b with a 16-byte digest, its first 8 bytes little-endian): for placement,
/// never for security.
uint64_t stable_hash64(std::string_view bytes);

/// Lowercase hexadecimal, two characters per byte.
std::string to_hex(std::string_view bytes);

/// Argon2id cost presets: crypto_pwhash_argon2id_{OPSLIMIT,MEMLIMIT}_*.
/// `min` (1 pass, 8 KiB) is for tests only.
enum class pwhash_cost { min, interactive, moderate, sensitive };

/// "min", "interactive", "moderate" or "sensitive"; nullopt for anything else.
std::optional<pwhash_cost> parse_pwhash_cost(std::string_view name);

/// The preset's name, as parse_pwhash_cost accepts it.
std::string_view to_string(pwhash_cost cost);

/// An Argon2id hash string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") with a fresh
/// random salt. nullopt only if the memory the cost needs cannot be had.
/// Slow by design (interactive: ~64 MiB, tens of milliseconds): never call it on an
/// actor scheduler thread.
std::optional<std::string> hash_password(std::string_view password, pwhash_cost cost);

/// True when `password` matches `stored_hash` (as made by hash_password). False for a
/// wrong password and for malformed hashes. As slow as hash_password: same thread rule.
bool verify_password(std::string_view stored_hash, std::string_view password);

/// Constant-time equality of two byte strings of equal length (sodium_memcmp); false on
/// length mismatch (the lengths themselves are not secret).
bool equal_constant_time(std::string_view a, std::string_view b);

/// Size of keyed_hash's output and of the key it is meant to be used with.
inline constexpr std::size_t keyed_hash_bytes = 32;

/// The 32-byte keyed BLAKE2b hash (crypto_generichash) of `message` under `key`. The key must
/// be 16 to 64 bytes; any other size gives an empty string (which matches no stored hash).
/// Fit for high-entropy secrets (backup codes) and MACs (the audit log), not for passwords.
std::string keyed_hash(std::string_view key, std::string_view message);

/// The 32-byte unkeyed BLAKE2b hash (crypto_generichash) of `message`: a content digest.
std::string hash256(std::string_view message);

/// Size of the keys derive_subkey, aead_seal and aead_open take, and of derive_subkey's output.
inline constexpr std::size_t symmetric_key_bytes = 32;

/// The 32-byte subkey number `id` of `master` (32 bytes) in `context` (exactly 8 characters),
/// as crypto_kdf_derive_from_key derives it. Empty if `master` or `context` has another size.
std::string derive_subkey(std::string_view master, uint64_t id, std::string_view context);

/// `n` bytes that depend only on `seed` (32 bytes), as randombytes_buf_deterministic makes
/// them: for fixed tables, never for secrets. Empty if `seed` has another size.
std::string deterministic_bytes(std::size_t n, std::string_view seed);

/// How many bytes aead_seal adds to its plaintext: the 24-byte nonce and the 16-byte tag.
inline constexpr std::size_t aead_overhead = 40;

/// XChaCha20-Poly1305 (IETF) encryption of `plaintext` under `key` (32 bytes) with a fresh
/// random nonce, authenticating `associated` too: nonce, then ciphertext and tag. Empty if
/// `key` has another size.
std::string aead_seal(std::string_view key, std::string_view plaintext,
                      std::string_view associated);

/// The plaintext of aead_seal's output, or nullopt when `sealed` was not made by aead_seal
/// under `key` with `associated` (a wrong key, any changed byte, a truncation).
std::optional<std::string> aead_open(std::string_view key, std::string_view sealed,
                                     std::string_view associated);

/// Inverse of to_hex (lowercase or uppercase); nullopt for an odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view text);

/// An Ed25519 key pair in libsodium's raw form: public_key 32 bytes, secret_key 64 bytes
/// (the 32-byte seed followed by the public key).
struct signing_key {
  std::string public_key;
  std::string secret_key;
};

/// A fresh random Ed25519 key pair.
signing_key generate_signing_key();

/// The Ed25519 key pair derived from a 32-byte seed (RFC 8032 private key, the JWK "d"),
/// as crypto_sign_seed_keypair does. nullopt if `seed32` is not 32 bytes.
std::optional<signing_key> signing_key_from_seed(std::string_view seed32);

/// True when both halves have the right sizes and the public key is the one the secret
/// key's seed derives.
bool is_well_formed(const signing_key& key);

/// The 64-byte Ed25519 signature of `message`. Returns an empty string (which no verifier
/// accepts) if `key.secret_key` is not 64 bytes.
std::string sign_detached(std::string_view message, const signing_key& key);

/// True when `signature` (64 bytes) is a valid Ed25519 signature of `message` under
/// `public_key` (32 bytes). False for wrong sizes.
bool verify_detached(std::string_view signature, std::string_view message,
                     std::string_view public_key);

/// What load_or_create_signing_key found: the key, or a message for a person saying what
/// is wrong with the file and how to fix it (never any key bytes).
struct key_result {
  std::optional<signing_key> key;
  std::string error;
};

/// Loads the node's Ed25519 key kept in the file `path`, creating it if absent.
/// File format: exactly 64 raw bytes, libsodium's secret key (32-byte seed followed by the
/// 32-byte public key); the public half must match the seed.
/// Creation: open with O_CREAT|O_EXCL and mode 0600 (set exactly, whatever the umask),
/// write, fsync the file, then fsync its directory; a half-written file is removed.
/// Refuses (error set, key empty): a path that is not a regular file, a file whose mode
/// allows any group/other access (the message says to run `chmod 600 <path>`), a file not
/// exactly 64 bytes, a file whose public half does not match its seed, and I/O errors.
/// Blocking file I/O: call it at startup, not on an actor scheduler thread.
key_result load_or_create_signing_key(const std::string& path);

/// The size of the audit log's MAC key.
inline constexpr std::size_t mac_key_bytes = 32;

/// A MAC key (32 raw bytes), or a message for a person naming the file.
struct mac_key_result {
  std::optional<std::string> key;
  std::string error;
};

/// Loads the 32-byte key kept in the file `path`, creating it (random, mode 0600, synced)
/// if absent; refuses a file that is not regular, allows group/other access or has another
/// size, as load_or_create_signing_key does. Blocking file I/O: start-up only.
mac_key_result load_or_create_mac_key(const std::string& path);

/// As load_or_create_mac_key, but a missing file is an error (offline tools must not
/// create a key that would not match the log).
mac_key_result load_mac_key(const std::string& path);

}  // namespace plexichat::runtime
