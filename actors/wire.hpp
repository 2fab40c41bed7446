#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <nlohmann/json.hpp>

#include "actors/api_error.hpp"
#include "storage/records.hpp"

/// The protocol's JSON objects and WebSocket frames (PROTOCOL.md), built in one place.
namespace plexichat::actors::wire {

/// An encoded frame, shared immutably by every session it goes to (fan-out encodes once).
using frame = std::shared_ptr<const std::string>;

nlohmann::json user(const storage::user_record& u);
nlohmann::json channel(const storage::channel_record& c, uint64_t last_seq);
nlohmann::json message(const storage::message_record& m);

/// `{"error": {"code", "message"}}`, the body of every failed HTTP call.
nlohmann::json error_body(const api_error& e);

/// message(m) as JSON text, byte for byte what message(m).dump() gives, without building
/// the object: the frames of the hot path (fan-out, ack) are written around it.
std::string message_text(const storage::message_record& m);

frame make_frame(const nlohmann::json& j);
/// `{"message": {...}, "type": "message"}`.
frame message_frame(const storage::message_record& m);
/// `{"message": {...}, "nonce", "type": "ack"}`: a send's answer.
frame ack_frame(const std::string& nonce, const storage::message_record& m);
/// `{"type": "error", "code", "message", "nonce"?}`.
frame error_frame(const api_error& e, const std::string& nonce = {});

/// The longest header of a frame the server sends (RFC 6455: 2 + 8 bytes, no mask).
inline constexpr std::size_t max_ws_header = 10;
/// Appends the header of a final, unmasked WebSocket text frame of `length` bytes, as a
/// server sends it (RFC 6455, 5.2; written by Beast's frame writer).
void append_ws_header(std::string& out, std::size_t length);
/// The frames' texts as WebSocket text frames, back to back, headers and all: the bytes a
/// server's connection writes for them.
frame ws_text_frames(const std::vector<std::pair<uint64_t, frame>>& frames);

/// The messages a channel fans out at once, shared by all its subscribers on this node: one
/// actor message per session for every batch of committed messages, not one per message.
struct delivery {
  std::string channel_id;
  std::vector<std::pair<uint64_t, frame>> frames;  ///< (seq, frame), in seq order
  /// The same frames as the bytes a connection writes for them (ws_text_frames): built once
  /// by the channel, so that each subscriber's connection writes it as it is. Null: not built.
  frame framed;
};
using delivery_ptr = std::shared_ptr<const delivery>;

}  // namespace plexichat::actors::wire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::wire::frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::wire::delivery_ptr)
