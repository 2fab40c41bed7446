#include "tools/plexichat-bench/frame_scan.hpp"

#include <charconv>

namespace plexichat::bench {
namespace {

// Where the value of `"key":` starts, skipping blanks after the colon.
std::optional<size_t> value_start(std::string_view text, std::string_view key) {
  size_t from = 0;
  while (true) {
    size_t at = text.find(key, from);
    if (at == std::string_view::npos) {
      return std::nullopt;
    }
    size_t end = at + key.size();
    // The key must be a whole quoted key: "key" then optional blanks then ':'.
    bool quoted = at > 0 && text[at - 1] == '"' && end < text.size() && text[end] == '"';
    if (quoted) {
      size_t i = end + 1;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
        ++i;
      }
      if (i < text.size() && text[i] == ':') {
        ++i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
          ++i;
        }
        return i;
      }
    }
    from = at + 1;
  }
}

}  // namespace

std::optional<std::string_view> string_field(std::string_view text, std::string_view key) {
  auto start = value_start(text, key);
  if (!start || *start >= text.size() || text[*start] != '"') {
    return std::nullopt;
  }
  size_t open = *start + 1;
  // The first quote not escaped: one after an even run of backslashes (find is memchr).
  for (size_t close = text.find('"', open); close != std::string_view::npos;
       close = text.find('"', close + 1)) {
    size_t backslashes = 0;
    while (close - backslashes > open && text[close - backslashes - 1] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      return text.substr(open, close - open);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> uint_field(std::string_view text, std::string_view key) {
  auto start = value_start(text, key);
  if (!start) {
    return std::nullopt;
  }
  uint64_t v = 0;
  const char* first = text.data() + *start;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc{} || ptr == first) {
    return std::nullopt;
  }
  return v;
}

std::optional<scanned_frame> scan_frame(std::string_view text) {
  auto type = string_field(text, "type");
  if (!type) {
    return std::nullopt;
  }
  scanned_frame f;
  f.type = *type;
  if (f.type == "message" || f.type == "ack") {
    f.seq = uint_field(text, "seq");
    f.content = string_field(text, "content").value_or(std::string_view{});
    f.nonce = string_field(text, "nonce").value_or(std::string_view{});
  } else if (f.type == "subscribed") {
    f.last_seq = uint_field(text, "last_seq");
  } else if (f.type == "error") {
    f.code = string_field(text, "code").value_or(std::string_view{});
    f.nonce = string_field(text, "nonce").value_or(std::string_view{});
  } else if (f.type == "pong") {
    f.nonce = string_field(text, "nonce").value_or(std::string_view{});
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
