#include "storage/backup/backup_hashes.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace plexichat::storage::backup {

namespace {

constexpr std::size_t kDigestBytes = 32;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

/// OpenSSL fails these only when it is out of memory or broken: no caller could go on, and a
/// wrong name or digest must never be written.
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "plexichat backup: %s\n", what);
  std::abort();
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  std::string out(kDigestBytes, '\0');
  unsigned int n = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(message),
           message.size(), reinterpret_cast<unsigned char*>(out.data()), &n) == nullptr ||
      n != kDigestBytes) {
    fail("HMAC-SHA-256 failed");
  }
  return out;
}

std::string sha256_prefixed(char prefix, std::string_view message) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string out(kDigestBytes, '\0');
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), &prefix, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n) != 1 ||
      n != kDigestBytes) {
    fail("SHA-256 failed");
  }
  return out;
}

}  // namespace plexichat::storage::backup
