#include "net/frame_parser.hpp"

#include "net/field_checks.hpp"
#include "net/json_input.hpp"

namespace plexichat::net {

namespace {

using actors::api_error;
using actors::session::client_frame;
using actors::session::frame_kind;
using actors::session::parsed_frame;
using nlohmann::json;

std::optional<frame_kind> kind_of(std::string_view type) {
  if (type == "auth") {
    return frame_kind::auth;
  }
  if (type == "subscribe") {
    return frame_kind::subscribe;
  }
  if (type == "unsubscribe") {
    return frame_kind::unsubscribe;
  }
  if (type == "send") {
    return frame_kind::send;
  }
  if (type == "ping") {
    return frame_kind::ping;
  }
  return std::nullopt;
}

std::optional<api_error> read_channel(const json& obj, client_frame& f) {
  if (auto e = fields::get_string(obj, "channel_id", f.channel_id)) {
    return e;
  }
  if (!fields::is_valid_id(f.channel_id)) {
    return api_error{actors::api_errc::not_found, "no such channel"};
  }
  return std::nullopt;
}

std::optional<api_error> read_fields(const json& obj, client_frame& f,
                                     const config::limits_config& limits) {
  switch (f.kind) {
    case frame_kind::auth:
      return fields::get_string(obj, "token", f.token);
    case frame_kind::subscribe:
      if (auto e = read_channel(obj, f)) {
        return e;
      }
      return fields::get_optional_seq(obj, "after_seq", f.after_seq);
    case frame_kind::unsubscribe:
      return read_channel(obj, f);
    case frame_kind::send:
      if (auto e = read_channel(obj, f)) {
        return e;
      }
      if (auto e = fields::get_string(obj, "nonce", f.nonce)) {
        return e;
      }
      if (auto e = fields::check_nonce(f.nonce)) {
        return e;
      }
      if (auto e = fields::get_string(obj, "content", f.content)) {
        return e;
      }
      return fields::check_text("content", f.content, 1, limits.max_message_chars, true);
    case frame_kind::ping:
      if (auto e = fields::get_optional_string(obj, "nonce", f.nonce)) {
        return e;
      }
      return f.nonce.empty() ? std::nullopt : fields::check_nonce(f.nonce);
  }
  return std::nullopt;
}

}  // namespace

parsed_frame parse_client_frame(std::string_view text, const config::limits_config& limits) {
  parsed_frame out;
  auto parsed = parse_json(text, limits.max_json_depth);
  if (!parsed.value) {
    out.error = fields::invalid(parsed.error);
    out.fatal = true;
    return out;
  }
  const auto& obj = *parsed.value;
  if (!obj.is_object()) {
    out.error = fields::invalid("a frame must be a JSON object");
    return out;
  }
  // Echo the nonce in an error only when it is one a client could have meant.
  if (auto i = obj.find("nonce");
      i != obj.end() && i->is_string() && !fields::check_nonce(i->get_ref<const std::string&>())) {
    out.nonce = i->get<std::string>();
  }
  std::string type;
  if (auto e = fields::get_string(obj, "type", type)) {
    out.error = *e;
    return out;
  }
  auto kind = kind_of(type);
  if (!kind) {
    // Echo a short type only: a long one could be cut inside a UTF-8 sequence.
    out.error = fields::invalid(type.size() <= 32 ? "unknown frame type \"" + type + "\""
                                                  : std::string{"unknown frame type"});
    return out;
  }
  out.frame.kind = *kind;
  if (auto e = read_fields(obj, out.frame, limits)) {
    out.error = *e;
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace plexichat::net
