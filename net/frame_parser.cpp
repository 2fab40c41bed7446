#include "net/frame_parser.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "net/field_checks.hpp"
#include "net/json_input.hpp"

namespace plexichat::net {

namespace {

using actors::api_error;
using actors::session::client_frame;
using actors::session::frame_kind;
using actors::session::parsed_frame;

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

/// A top-level member of a frame, as the parse saw it. The reads below move its text out.
struct member {
  enum class kind : uint8_t { absent, null, string, number, other };
  kind type = kind::absent;
  std::string text;     ///< a string's value
  uint64_t number = 0;  ///< a non-negative integer's value; a negative one or a fraction is `other`
};

/// nlohmann-json SAX events into the members a frame can have, with no document: the object's
/// other members, and whatever is nested, are parsed and dropped. As in a document, a
/// repeated member keeps its last value.
class frame_reader {
 public:
  bool root_is_object = false;
  member type, token, channel_id, after_seq, content, nonce;

  bool null() { return value(member::kind::null); }
  bool boolean(bool) { return value(member::kind::other); }
  bool number_integer(nlohmann::json::number_integer_t v) {
    return v >= 0 ? number_unsigned(static_cast<uint64_t>(v)) : value(member::kind::other);
  }
  bool number_unsigned(nlohmann::json::number_unsigned_t v) {
    if (auto* m = target()) {
      m->type = member::kind::number;
      m->number = v;
    }
    return true;
  }
  bool number_float(nlohmann::json::number_float_t, const std::string&) {
    return value(member::kind::other);
  }
  bool string(std::string& v) {
    if (auto* m = target()) {
      m->type = member::kind::string;
      m->text = v;
    }
    return true;
  }
  bool binary(nlohmann::json::binary_t&) { return value(member::kind::other); }
  bool start_object(std::size_t) {
    if (depth_ == 0) {
      root_is_object = true;
    } else {
      value(member::kind::other);
    }
    ++depth_;
    return true;
  }
  bool key(std::string& k) {
    if (depth_ == 1) {
      current_ = slot(k);
    }
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    value(member::kind::other);
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  member* slot(std::string_view k) {
    if (k == "type") {
      return &type;
    }
    if (k == "token") {
      return &token;
    }
    if (k == "channel_id") {
      return &channel_id;
    }
    if (k == "after_seq") {
      return &after_seq;
    }
    if (k == "content") {
      return &content;
    }
    if (k == "nonce") {
      return &nonce;
    }
    return nullptr;
  }
  /// The member a value at this depth is the value of: only the root object's own members.
  member* target() { return depth_ == 1 ? current_ : nullptr; }
  bool value(member::kind k) {
    if (auto* m = target()) {
      m->type = k;
      m->text.clear();
    }
    return true;
  }

  unsigned depth_ = 0;
  member* current_ = nullptr;
};

std::optional<api_error> get_string(member& m, const char* key, std::string& out) {
  if (m.type == member::kind::absent) {
    return fields::missing_field(key);
  }
  if (m.type != member::kind::string) {
    return fields::not_a_string(key);
  }
  out = std::move(m.text);
  return std::nullopt;
}

std::optional<api_error> get_optional_string(member& m, const char* key, std::string& out) {
  if (m.type == member::kind::absent || m.type == member::kind::null) {
    return std::nullopt;
  }
  return get_string(m, key, out);
}

std::optional<api_error> get_optional_seq(const member& m, const char* key,
                                          std::optional<uint64_t>& out) {
  if (m.type == member::kind::absent || m.type == member::kind::null) {
    return std::nullopt;
  }
  if (m.type != member::kind::number) {
    return fields::not_a_seq(key);
  }
  out = m.number;
  return std::nullopt;
}

std::optional<api_error> read_channel(frame_reader& r, client_frame& f) {
  if (auto e = get_string(r.channel_id, "channel_id", f.channel_id)) {
    return e;
  }
  if (!fields::is_valid_id(f.channel_id)) {
    return api_error{actors::api_errc::not_found, "no such channel"};
  }
  return std::nullopt;
}

std::optional<api_error> read_fields(frame_reader& r, client_frame& f,
                                     const config::limits_config& limits) {
  switch (f.kind) {
    case frame_kind::auth:
      return get_string(r.token, "token", f.token);
    case frame_kind::subscribe:
      if (auto e = read_channel(r, f)) {
        return e;
      }
      return get_optional_seq(r.after_seq, "after_seq", f.after_seq);
    case frame_kind::unsubscribe:
      return read_channel(r, f);
    case frame_kind::send:
      if (auto e = read_channel(r, f)) {
        return e;
      }
      if (auto e = get_string(r.nonce, "nonce", f.nonce)) {
        return e;
      }
      if (auto e = fields::check_nonce(f.nonce)) {
        return e;
      }
      if (auto e = get_string(r.content, "content", f.content)) {
        return e;
      }
      return fields::check_text("content", f.content, 1, limits.max_message_chars, true);
    case frame_kind::ping:
      if (auto e = get_optional_string(r.nonce, "nonce", f.nonce)) {
        return e;
      }
      return f.nonce.empty() ? std::nullopt : fields::check_nonce(f.nonce);
  }
  return std::nullopt;
}

}  // namespace

parsed_frame parse_client_frame(std::string_view text, const config::limits_config& limits) {
  parsed_frame out;
  frame_reader r;
  if (auto error = sax_parse_json(text, limits.max_json_depth, r); !error.empty()) {
    out.error = fields::invalid(std::move(error));
    out.fatal = true;
    return out;
  }
  if (!r.root_is_object) {
    out.error = fields::invalid("a frame must be a JSON object");
    return out;
  }
  // Echo the nonce in an error only when it is one a client could have meant.
  if (r.nonce.type == member::kind::string && !fields::check_nonce(r.nonce.text)) {
    out.nonce = r.nonce.text;
  }
  std::string type;
  if (auto e = get_string(r.type, "type", type)) {
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
  if (auto e = read_fields(r, out.frame, limits)) {
    out.error = *e;
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace plexichat::net
