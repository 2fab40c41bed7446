#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::bench {

/// The fields of a node's WebSocket frame that the benchmark reads, found by scanning the
/// text instead of parsing it: at hundreds of thousands of deliveries a second a JSON
/// parser would make the tool, not the node, the bottleneck. Valid only for frames a
/// node wrote (JSON, keys unique per object, strings escaped) carrying this tool's
/// content, which holds no quotes or backslashes. The views point into the frame.
struct scanned_frame {
  std::string_view type;             ///< "message", "ack", "error", "subscribed", ...
  std::optional<uint64_t> seq;       ///< the message's seq (message, ack)
  std::optional<uint64_t> last_seq;  ///< subscribed
  std::string_view content;          ///< the message's content, raw (message, ack)
  std::string_view nonce;            ///< ack, error, message (the sender's nonce)
  std::string_view code;             ///< error
};

/// Nothing when the frame has no "type".
[[nodiscard]] std::optional<scanned_frame> scan_frame(std::string_view text);

/// The raw value of the first string field `key` in `text`, up to its closing quote.
[[nodiscard]] std::optional<std::string_view> string_field(std::string_view text,
                                                           std::string_view key);
/// The first unsigned integer field `key` in `text`.
[[nodiscard]] std::optional<uint64_t> uint_field(std::string_view text, std::string_view key);

/// Content that carries its send time: "<steady-clock ns>." padded with 'x' to `size`
/// bytes (at least the time and the dot).
[[nodiscard]] std::string stamped_content(int64_t send_ns, size_t size);
/// The send time of stamped content, or nothing.
[[nodiscard]] std::optional<int64_t> content_stamp(std::string_view content);

}  // namespace plexichat::bench
