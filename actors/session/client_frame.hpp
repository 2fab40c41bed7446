#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/api_error.hpp"

namespace plexichat::actors::session {

/// What a client may send on the WebSocket (PROTOCOL.md), validated by the net layer.
enum class frame_kind { auth, subscribe, unsubscribe, send, ping };

struct client_frame {
  frame_kind kind = frame_kind::ping;
  std::string token;
  std::string channel_id;
  std::optional<uint64_t> after_seq;
  std::string content;
  std::string nonce;
};

/// A frame as the net layer parsed it: a valid request, or why not. `fatal` means it could not
/// be parsed at all (not JSON), after which the session closes.
struct parsed_frame {
  bool ok = false;
  client_frame frame;
  api_error error;
  std::string nonce;  ///< the frame's nonce, when one could be read, for the error frame
  bool fatal = false;
};

}  // namespace plexichat::actors::session

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::session::parsed_frame)
