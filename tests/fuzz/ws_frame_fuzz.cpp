// Fuzzes WebSocket frame decoding: a text frame's bytes (at most the node's max_frame_bytes,
// which Beast enforces before) -> net/frame_parser.cpp -> a client frame or an error.
//
// Invariants: `fatal` exactly when the bytes are not JSON the node accepts; an error has a
// PROTOCOL.md code with a 4xx status and a UTF-8 message, and echoes only a valid nonce; an
// accepted frame has the fields of its type within the limits and no others.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/session/client_frame.hpp"
#include "actors/wire.hpp"
#include "config/node_config.hpp"
#include "net/frame_parser.hpp"
#include "net/json_input.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/rest_call_checks.hpp"

namespace {

using plexichat::actors::session::client_frame;
using plexichat::actors::session::frame_kind;
using plexichat::actors::session::parsed_frame;
using plexichat::fuzz::is_id;
using plexichat::fuzz::is_valid_nonce;

const plexichat::config::limits_config limits{};

std::string_view type_name(frame_kind k) {
  switch (k) {
    case frame_kind::auth:
      return "auth";
    case frame_kind::subscribe:
      return "subscribe";
    case frame_kind::unsubscribe:
      return "unsubscribe";
    case frame_kind::send:
      return "send";
    case frame_kind::ping:
      return "ping";
  }
  return "";
}

void check_accepted(const client_frame& f, const nlohmann::json& obj) {
  FUZZ_CHECK(obj.is_object() && obj.at("type") == type_name(f.kind));
  bool channel = f.kind == frame_kind::subscribe || f.kind == frame_kind::unsubscribe ||
                 f.kind == frame_kind::send;
  FUZZ_CHECK(channel ? is_id(f.channel_id) : f.channel_id.empty());
  FUZZ_CHECK((f.kind == frame_kind::auth) || f.token.empty());
  if (f.kind == frame_kind::auth) {
    FUZZ_CHECK(obj.at("token").is_string() && obj.at("token") == f.token);
  }
  FUZZ_CHECK(f.kind == frame_kind::subscribe || !f.after_seq);
  if (f.after_seq) {
    FUZZ_CHECK(obj.at("after_seq").is_number_integer() && obj.at("after_seq") == *f.after_seq);
  }
  if (f.kind == frame_kind::send) {
    FUZZ_CHECK(plexichat::fuzz::is_valid_text(f.content, 1, limits.max_message_chars, true));
    FUZZ_CHECK(is_valid_nonce(f.nonce));
  } else {
    FUZZ_CHECK(f.content.empty());
    FUZZ_CHECK(f.nonce.empty() || (f.kind == frame_kind::ping && is_valid_nonce(f.nonce)));
  }
}

void check_refused(const parsed_frame& p) {
  FUZZ_CHECK(plexichat::fuzz::is_client_error(p.error));
  FUZZ_CHECK(p.nonce.empty() || is_valid_nonce(p.nonce));
  // The error frame the session sends; dump() throws on invalid UTF-8.
  auto body = plexichat::actors::wire::error_body(p.error);
  body["nonce"] = p.nonce;
  (void)body.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size > limits.max_frame_bytes) {
    return 0;  // Beast closes with 1009 before the parser sees it
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = plexichat::net::parse_client_frame(text, limits);
  auto json = plexichat::net::parse_json(text, limits.max_json_depth);
  FUZZ_CHECK(p.fatal == !json.value.has_value());
  if (p.ok) {
    FUZZ_CHECK(!p.fatal);
    check_accepted(p.frame, *json.value);
  } else {
    check_refused(p);
  }
  return 0;
}
