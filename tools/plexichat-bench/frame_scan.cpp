#include "tools/plexichat-bench/frame_scan.hpp"

#include <simdjson.h>

#include <charconv>

namespace plexichat::bench {
namespace {

namespace dom = simdjson::dom;

std::string_view string_of(dom::element v) {
  std::string_view s;
  return v.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view{};
}

std::optional<uint64_t> uint_of(dom::element v) {
  uint64_t n = 0;
  if (v.get_uint64().get(n) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

std::optional<scanned_frame> scan_frame(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the text: parse a padded copy. The DOM
  // parser (not On Demand) because it picks the CPU's fastest kernels when it runs; On
  // Demand is built for the CPU the compiler targets, without SIMD on a generic build.
  thread_local dom::parser parser;
  thread_local std::string padded;
  padded.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(text);
  dom::object frame;
  if (parser.parse(padded.data(), padded.size(), false).get_object().get(frame) !=
      simdjson::SUCCESS) {
    return std::nullopt;
  }
  scanned_frame f;
  std::optional<std::string_view> type;
  std::string_view message_nonce;
  bool has_nonce = false;
  for (const dom::key_value_pair field : frame) {
    if (field.key == "type") {
      std::string_view s;
      if (field.value.get_string().get(s) == simdjson::SUCCESS) {
        type = s;
      }
    } else if (field.key == "nonce") {
      f.nonce = string_of(field.value);
      has_nonce = true;
    } else if (field.key == "code") {
      f.code = string_of(field.value);
    } else if (field.key == "last_seq") {
      f.last_seq = uint_of(field.value);
    } else if (field.key == "message" && field.value.is_object()) {  // else an error's text
      for (const dom::key_value_pair m : dom::object(field.value)) {
        if (m.key == "content") {
          f.content = string_of(m.value);
        } else if (m.key == "nonce") {
          message_nonce = string_of(m.value);
        } else if (m.key == "seq") {
          f.seq = uint_of(m.value);
        }
      }
    }
  }
  if (!type) {
    return std::nullopt;
  }
  f.type = *type;
  if (!has_nonce) {
    f.nonce = message_nonce;
  }
  return f;
}

std::string stamped_content(int64_t send_ns, size_t size) {
  std::string s = std::to_string(send_ns);
  s.push_back('.');
  if (s.size() < size) {
    s.append(size - s.size(), 'x');
  }
  return s;
}

std::optional<int64_t> content_stamp(std::string_view content) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(content.data(), content.data() + content.size(), v);
  if (ec != std::errc{} || ptr == content.data() || ptr == content.data() + content.size() ||
      *ptr != '.') {
    return std::nullopt;
  }
  return v;
}

}  // namespace plexichat::bench
