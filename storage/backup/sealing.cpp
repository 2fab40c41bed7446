#include "storage/backup/sealing.hpp"

#include <zstd.h>

#include <memory>
#include <utility>

#include "runtime/crypto.hpp"

namespace plexichat::storage::backup {

namespace {

constexpr char kVersion = 1;

/// The associated data: purpose, format version, kind and name.
std::string associated(std::string_view purpose, sealed_kind kind, std::string_view name) {
  std::string ad = "plexichat-backup-";
  ad.append(purpose).push_back(kVersion);
  ad.push_back(static_cast<char>(kind));
  ad.append(name);
  return ad;
}

status unauthentic(std::string_view what, sealed_kind kind) {
  return {errc::corruption, std::string(what) + " of a backup " +
                                (kind == sealed_kind::chunk ? "chunk" : "manifest") +
                                " fails authentication (wrong key, or tampered or truncated)"};
}

/// The data key of `wrapped`, or nullopt when it does not open.
std::optional<std::string> unwrap(sealed_kind kind, std::string_view name, std::string_view wrapped,
                                  std::string_view kek) {
  if (wrapped.size() != wrapped_key_bytes || wrapped[0] != kVersion) {
    return std::nullopt;
  }
  auto key = runtime::aead_open(kek, wrapped.substr(1), associated("key", kind, name));
  if (!key || key->size() != runtime::symmetric_key_bytes) {
    return std::nullopt;
  }
  return key;
}

std::string wrap(sealed_kind kind, std::string_view name, std::string_view data_key,
                 std::string_view kek) {
  return std::string(1, kVersion) +
         runtime::aead_seal(kek, data_key, associated("key", kind, name));
}

status zstd_refused(std::size_t code) {
  return {errc::invalid_argument, std::string("zstd: ") + ZSTD_getErrorName(code)};
}

result<std::string> compress(std::string_view plaintext, const zstd_settings& zstd) {
  if (zstd.level < 1 || zstd.level > ZSTD_maxCLevel()) {
    return status{errc::invalid_argument,
                  "zstd level must be 1 to " + std::to_string(ZSTD_maxCLevel())};
  }
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!ctx) {
    return status{errc::invalid_argument, "zstd: cannot create a context"};
  }
  const std::pair<ZSTD_cParameter, int> settings[] = {{ZSTD_c_compressionLevel, zstd.level},
                                                      {ZSTD_c_minMatch, zstd.min_match},
                                                      {ZSTD_c_hashLog, zstd.hash_log}};
  for (const auto& [parameter, value] : settings) {
    if (std::size_t r = ZSTD_CCtx_setParameter(ctx.get(), parameter, value); ZSTD_isError(r)) {
      return zstd_refused(r);
    }
  }
  std::string out(ZSTD_compressBound(plaintext.size()), '\0');
  std::size_t n =
      ZSTD_compress2(ctx.get(), out.data(), out.size(), plaintext.data(), plaintext.size());
  if (ZSTD_isError(n)) {
    return zstd_refused(n);
  }
  out.resize(n);
  return out;
}

result<std::string> decompress(std::string_view frame, std::size_t max_size) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_size) {
    return status{errc::corruption, "a backup item's zstd frame has no valid size within " +
                                        std::to_string(max_size) + " bytes"};
  }
  std::string out(size, '\0');
  std::size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) {
    return status{errc::corruption, "a backup item's zstd frame does not decompress"};
  }
  return out;
}

}  // namespace

result<sealed_item> seal(sealed_kind kind, std::string_view name, std::string_view plaintext,
                         std::string_view kek, int level) {
  return seal(kind, name, plaintext, kek, zstd_settings{level, 0, 0});
}

result<sealed_item> seal(sealed_kind kind, std::string_view name, std::string_view plaintext,
                         std::string_view kek, const zstd_settings& zstd) {
  if (kek.size() != runtime::symmetric_key_bytes) {
    return status{errc::invalid_argument, "a key-encryption key has 32 bytes"};
  }
  auto frame = compress(plaintext, zstd);
  if (!frame.ok()) {
    return frame.error();
  }
  std::string data_key = runtime::random_bytes(runtime::symmetric_key_bytes);
  sealed_item item;
  item.sealed = std::string(1, kVersion) +
                runtime::aead_seal(data_key, frame.value(), associated("data", kind, name));
  item.wrapped_key = wrap(kind, name, data_key, kek);
  return item;
}

result<std::string> unseal(sealed_kind kind, std::string_view name, const sealed_item& item,
                           std::string_view kek, std::size_t max_size) {
  auto data_key = unwrap(kind, name, item.wrapped_key, kek);
  if (!data_key) {
    return unauthentic("the wrapped key", kind);
  }
  if (item.sealed.empty() || item.sealed[0] != kVersion) {
    return unauthentic("the data", kind);
  }
  auto frame = runtime::aead_open(*data_key, std::string_view(item.sealed).substr(1),
                                  associated("data", kind, name));
  if (!frame) {
    return unauthentic("the data", kind);
  }
  return decompress(*frame, max_size);
}

result<std::string> rewrap(sealed_kind kind, std::string_view name, std::string_view wrapped_key,
                           std::string_view old_kek, std::string_view new_kek) {
  if (new_kek.size() != runtime::symmetric_key_bytes) {
    return status{errc::invalid_argument, "a key-encryption key has 32 bytes"};
  }
  auto data_key = unwrap(kind, name, wrapped_key, old_kek);
  if (!data_key) {
    return unauthentic("the wrapped key", kind);
  }
  return wrap(kind, name, *data_key, new_kek);
}

}  // namespace plexichat::storage::backup
