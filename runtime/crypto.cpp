#include "runtime/crypto.hpp"

#include "runtime/key_file.hpp"

#include <sodium.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace plexichat::runtime {

namespace {

constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr std::size_t kIdChars = 20;
constexpr std::size_t kKeyFileSize = crypto_sign_SECRETKEYBYTES;

// Every entry point needs libsodium; without kernel randomness nothing here is safe.
void require_init() {
  if (!crypto_init()) {
    std::fputs("plexichat: libsodium cannot be initialised; stopping\n", stderr);
    std::abort();
  }
}

/// Random bytes for ids, from the kernel's generator 1 KiB at a time per thread: a
/// getrandom call for each id cost about 1.2 us of CPU on the benchmark machine, and a node
/// makes an id for every message sent. Each byte is handed out once.
class id_noise {
 public:
  id_noise() = default;
  id_noise(const id_noise&) = delete;
  id_noise& operator=(const id_noise&) = delete;
  ~id_noise() { sodium_memzero(buf_.data(), buf_.size()); }

  /// Copies the next `n` (at most 1 KiB) bytes to `out`.
  void take(char* out, std::size_t n) {
    if (buf_.size() - used_ < n) {
      randombytes_buf(buf_.data(), buf_.size());
      used_ = 0;
    }
    std::memcpy(out, buf_.data() + used_, n);
    used_ += n;
  }

 private:
  std::array<unsigned char, 1024> buf_{};
  std::size_t used_ = buf_.size();  ///< all used: the first take fills it
};

unsigned char* bytes_of(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct pwhash_limits {
  unsigned long long ops;
  std::size_t mem;
};

pwhash_limits limits_of(pwhash_cost cost) {
  switch (cost) {
    case pwhash_cost::min:
      return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    case pwhash_cost::interactive:
      return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    case pwhash_cost::moderate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case pwhash_cost::sensitive:
      return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
  }
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

constexpr std::array<std::string_view, 4> kCostNames{"min", "interactive", "moderate", "sensitive"};

}  // namespace

bool crypto_init() {
  // sodium_init() is itself thread-safe; the static only saves the repeated call.
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string random_bytes(std::size_t n) {
  require_init();
  std::string out(n, '\0');
  if (n > 0) {
    randombytes_buf(out.data(), n);
  }
  return out;
}

std::string random_id(std::string_view prefix) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
  // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
  require_init();
  thread_local id_noise source;
  std::array<char, kIdChars> noise;
  source.take(noise.data(), noise.size());
  std::string id(prefix);
  for (const char c : noise) {
    id.push_back(kAlphabet[static_cast<unsigned char>(c) & 31U]);
  }
  return id;
}

std::string base64url_encode(std::string_view bytes) {
  require_init();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kBase64Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), kBase64Variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  require_init();
  if (text.empty()) {
    return std::string{};
  }
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t length = 0;
  // No ignore set and no end pointer: libsodium then rejects any character it does not
  // decode, an impossible length and non-zero trailing bits.
  if (sodium_base642bin(bytes_of(out), out.size(), text.data(), text.size(), nullptr, &length,
                        nullptr, kBase64Variant) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

uint64_t stable_hash64(std::string_view bytes) {
  unsigned char out[crypto_generichash_BYTES_MIN];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  uint64_t h = 0;
  for (int i = 7; i >= 0; --i) {
    h = (h << 8) | out[i];
  }
  return h;
}

std::string to_hex(std::string_view bytes) {
  require_init();
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::optional<pwhash_cost> parse_pwhash_cost(std::string_view name) {
  for (std::size_t i = 0; i < kCostNames.size(); ++i) {
    if (kCostNames[i] == name) {
      return static_cast<pwhash_cost>(i);
    }
  }
  return std::nullopt;
}

std::string_view to_string(pwhash_cost cost) {
  const auto index = static_cast<std::size_t>(cost);
  return index < kCostNames.size() ? kCostNames[index] : std::string_view{"unknown"};
}

std::optional<std::string> hash_password(std::string_view password, pwhash_cost cost) {
  require_init();
  const pwhash_limits limits = limits_of(cost);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), limits.ops, limits.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::nullopt;
  }
  return std::string(out.data());
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  require_init();
  // libsodium reads a NUL-terminated string of fewer than crypto_pwhash_STRBYTES bytes.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  require_init();
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string keyed_hash(std::string_view key, std::string_view message) {
  require_init();
  if (key.size() < crypto_generichash_KEYBYTES_MIN ||
      key.size() > crypto_generichash_KEYBYTES_MAX) {
    return {};
  }
  std::string out(keyed_hash_bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

std::string hash256(std::string_view message) {
  require_init();
  std::string out(32, '\0');
  crypto_generichash(bytes_of(out), out.size(), bytes_of(message), message.size(), nullptr, 0);
  return out;
}

std::string derive_subkey(std::string_view master, uint64_t id, std::string_view context) {
  static_assert(symmetric_key_bytes == crypto_kdf_KEYBYTES);
  require_init();
  if (master.size() != crypto_kdf_KEYBYTES || context.size() != crypto_kdf_CONTEXTBYTES) {
    return {};
  }
  std::string out(symmetric_key_bytes, '\0');
  // libsodium reads exactly crypto_kdf_CONTEXTBYTES characters; no terminator needed.
  crypto_kdf_derive_from_key(bytes_of(out), out.size(), id, context.data(), bytes_of(master));
  return out;
}

std::string deterministic_bytes(std::size_t n, std::string_view seed) {
  require_init();
  if (seed.size() != randombytes_SEEDBYTES) {
    return {};
  }
  std::string out(n, '\0');
  randombytes_buf_deterministic(out.data(), out.size(), bytes_of(seed));
  return out;
}

std::string aead_seal(std::string_view key, std::string_view plaintext,
                      std::string_view associated) {
  constexpr std::size_t nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  static_assert(aead_overhead == nonce_bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  require_init();
  if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    return {};
  }
  std::string out(plaintext.size() + aead_overhead, '\0');
  // 192-bit random nonces: collisions are negligible however many chunks one key seals.
  randombytes_buf(out.data(), nonce_bytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes_of(out) + nonce_bytes, &written, bytes_of(plaintext), plaintext.size(),
      bytes_of(associated), associated.size(), nullptr, bytes_of(out), bytes_of(key));
  out.resize(nonce_bytes + written);
  return out;
}

std::optional<std::string> aead_open(std::string_view key, std::string_view sealed,
                                     std::string_view associated) {
  constexpr std::size_t nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  require_init();
  if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES || sealed.size() < aead_overhead) {
    return std::nullopt;
  }
  std::string out(sealed.size() - aead_overhead, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          bytes_of(out), &written, nullptr, bytes_of(sealed) + nonce_bytes,
          sealed.size() - nonce_bytes, bytes_of(associated), associated.size(), bytes_of(sealed),
          bytes_of(key)) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  require_init();
  if (text.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out(text.size() / 2, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(bytes_of(out), out.size(), text.data(), text.size(), nullptr, &length, &end) !=
          0 ||
      end != text.data() + text.size() || length != out.size()) {
    return std::nullopt;
  }
  return out;
}

signing_key generate_signing_key() {
  require_init();
  signing_key key{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                  std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_keypair(bytes_of(key.public_key), bytes_of(key.secret_key));
  return key;
}

std::optional<signing_key> signing_key_from_seed(std::string_view seed32) {
  require_init();
  if (seed32.size() != crypto_sign_SEEDBYTES) {
    return std::nullopt;
  }
  signing_key key{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                  std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_seed_keypair(bytes_of(key.public_key), bytes_of(key.secret_key), bytes_of(seed32));
  return key;
}

bool is_well_formed(const signing_key& key) {
  if (key.public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      key.secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return false;
  }
  const auto derived =
      signing_key_from_seed(std::string_view(key.secret_key).substr(0, crypto_sign_SEEDBYTES));
  return derived && equal_constant_time(derived->secret_key, key.secret_key) &&
         equal_constant_time(derived->public_key, key.public_key);
}

std::string sign_detached(std::string_view message, const signing_key& key) {
  require_init();
  if (key.secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return {};
  }
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(bytes_of(signature), nullptr, bytes_of(message), message.size(),
                       bytes_of(key.secret_key));
  return signature;
}

bool verify_detached(std::string_view signature, std::string_view message,
                     std::string_view public_key) {
  require_init();
  if (signature.size() != crypto_sign_BYTES || public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return false;
  }
  return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(),
                                     bytes_of(public_key)) == 0;
}

// ---- The key files ------------------------------------------------------------------

namespace {

constexpr std::string_view kSigningLabel = "signing key";
constexpr std::string_view kMacLabel = "audit key";

key_result signing_key_of(key_file_result file, const std::string& path) {
  if (!file.bytes) {
    return {std::nullopt, std::move(file.error)};
  }
  std::string& secret = *file.bytes;
  auto key = signing_key_from_seed(std::string_view(secret).substr(0, crypto_sign_SEEDBYTES));
  const bool matches = key && equal_constant_time(key->secret_key, secret);
  sodium_memzero(secret.data(), secret.size());
  if (!matches) {
    return {std::nullopt, std::string(kSigningLabel) + " file '" + path +
                              "' is not a signing key: its public half does not match its seed"};
  }
  return {std::move(key), {}};
}

}  // namespace

key_result load_or_create_signing_key(const std::string& path) {
  require_init();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto file = read_key_file(path, kKeyFileSize, kSigningLabel);
    if (!file.missing) {
      return signing_key_of(std::move(file), path);
    }
    signing_key fresh = generate_signing_key();
    if (auto created = create_key_file(path, fresh.secret_key, kSigningLabel)) {
      return created->bytes ? key_result{std::move(fresh), {}}
                            : key_result{std::nullopt, std::move(created->error)};
    }
  }
  return {std::nullopt, std::string(kSigningLabel) + " file '" + path +
                            "' exists but cannot be opened (is it a dangling symbolic link?)"};
}

mac_key_result load_mac_key(const std::string& path) {
  auto file = read_key_file(path, mac_key_bytes, kMacLabel);
  return {std::move(file.bytes), std::move(file.error)};
}

mac_key_result load_or_create_mac_key(const std::string& path) {
  require_init();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto file = read_key_file(path, mac_key_bytes, kMacLabel);
    if (!file.missing) {
      return {std::move(file.bytes), std::move(file.error)};
    }
    if (auto created = create_key_file(path, random_bytes(mac_key_bytes), kMacLabel)) {
      return {std::move(created->bytes), std::move(created->error)};
    }
  }
  return {std::nullopt, std::string(kMacLabel) + " file '" + path +
                            "' exists but cannot be opened (is it a dangling symbolic link?)"};
}

}  // namespace plexichat::runtime
