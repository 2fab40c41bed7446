#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::storage {

/// Appends `value` as 8 big-endian bytes, so that bytewise order is numeric order.
inline void append_u64_be(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

/// Reads 8 big-endian bytes; `bytes` must hold at least 8.
inline uint64_t load_u64_be(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

/// `value` as 8 big-endian bytes of its two's complement.
inline std::string encode_i64_be(int64_t value) {
  std::string out;
  append_u64_be(out, static_cast<uint64_t>(value));
  return out;
}

/// The inverse of encode_i64_be; nullopt unless `bytes` is exactly 8 bytes long.
inline std::optional<int64_t> decode_i64_be(std::string_view bytes) {
  if (bytes.size() != 8) {
    return std::nullopt;
  }
  return static_cast<int64_t>(load_u64_be(bytes));
}

}  // namespace plexichat::storage
