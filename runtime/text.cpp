#include "runtime/text.hpp"

namespace plexichat::runtime {

namespace {

unsigned char byte_at(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}

bool is_continuation(unsigned char b) {
  return (b & 0xC0U) == 0x80U;
}

// A lead byte's sequence length and the range its second byte must fall in (Unicode
// table 3-7); the narrowed ranges are what exclude overlongs, surrogates and > U+10FFFF.
struct lead_byte {
  std::size_t length;  // 0: cannot start a sequence
  unsigned char second_low;
  unsigned char second_high;
};

lead_byte classify(unsigned char lead) {
  if (lead < 0x80) {
    return {1, 0, 0};
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    return {2, 0x80, 0xBF};
  }
  if (lead == 0xE0) {
    return {3, 0xA0, 0xBF};
  }
  if (lead == 0xED) {
    return {3, 0x80, 0x9F};
  }
  if (lead >= 0xE1 && lead <= 0xEF) {
    return {3, 0x80, 0xBF};
  }
  if (lead == 0xF0) {
    return {4, 0x90, 0xBF};
  }
  if (lead >= 0xF1 && lead <= 0xF3) {
    return {4, 0x80, 0xBF};
  }
  if (lead == 0xF4) {
    return {4, 0x80, 0x8F};
  }
  return {0, 0, 0};
}

bool is_username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const lead_byte lead = classify(byte_at(s, i));
    if (lead.length == 0 || s.size() - i < lead.length) {
      return false;
    }
    if (lead.length > 1) {
      const unsigned char second = byte_at(s, i + 1);
      if (second < lead.second_low || second > lead.second_high) {
        return false;
      }
      for (std::size_t k = 2; k < lead.length; ++k) {
        if (!is_continuation(byte_at(s, i + k))) {
          return false;
        }
      }
    }
    i += lead.length;
  }
  return true;
}

std::size_t count_code_points(std::string_view s) {
  std::size_t count = 0;
  for (const char c : s) {
    if (!is_continuation(static_cast<unsigned char>(c))) {
      ++count;
    }
  }
  return count;
}

std::optional<std::string> normalize_username(std::string_view s) {
  if (s.size() < min_username_length || s.size() > max_username_length) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (!is_username_char(c)) {
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

bool has_control_chars(std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 && c != '\n' && c != '\t') {
      return true;
    }
  }
  return false;
}

}  // namespace plexichat::runtime
