#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::bench {

/// The fields of a node's WebSocket frame that the benchmark reads. Parsed with simdjson's
/// DOM parser, which reuses its buffers (nothing allocated per frame) and runs the CPU's
/// SIMD kernels: at hundreds of thousands of deliveries a second, nlohmann's parser would
/// make the tool, not the node, the bottleneck. The views point into the parser's buffers:
/// valid until the next scan_frame on the same thread.
struct scanned_frame {
  std::string_view type;             ///< "message", "ack", "error", "subscribed", ...
  std::optional<uint64_t> seq;       ///< the message's seq (message, ack)
  std::optional<uint64_t> last_seq;  ///< subscribed
  std::string_view content;          ///< the message's content (message, ack)
  std::string_view nonce;            ///< the frame's nonce (ack, error, pong), else the message's
  std::string_view code;             ///< error
};

/// Nothing when the text is not a JSON object with a string "type", or is malformed.
[[nodiscard]] std::optional<scanned_frame> scan_frame(std::string_view text);

/// Content that carries its send time: "<steady-clock ns>." padded with 'x' to `size`
/// bytes (at least the time and the dot).
[[nodiscard]] std::string stamped_content(int64_t send_ns, size_t size);
/// The send time of stamped content, or nothing.
[[nodiscard]] std::optional<int64_t> content_stamp(std::string_view content);

}  // namespace plexichat::bench
