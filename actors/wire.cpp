#include "actors/wire.hpp"

#include <charconv>

#include <boost/beast/websocket/detail/frame.hpp>

namespace plexichat::actors::wire {

using nlohmann::json;

namespace {

// Replace, never throw, on bad UTF-8: input was validated, this is the last guard.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

/// Whether nlohmann-json writes `s` as it is between quotes: printable ASCII without `"` or
/// `\` (ids, most nonces and much chat text) has nothing to escape.
bool needs_no_escaping(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      return false;
    }
  }
  return true;
}

void append_string(std::string& out, std::string_view key, const std::string& value) {
  append_key(out, key);
  if (needs_no_escaping(value)) {
    out += '"';
    out += value;
    out += '"';
    return;
  }
  out += dump(json(value));
}

template <class Int>
void append_int(std::string& out, std::string_view key, Int value) {
  append_key(out, key);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

json user(const storage::user_record& u) {
  return {{"id", u.id}, {"username", u.username}, {"created_at", u.created_at}};
}

json channel(const storage::channel_record& c, uint64_t last_seq) {
  return {{"id", c.id},
          {"name", c.name},
          {"topic", c.topic},
          {"private", c.is_private},
          {"created_at", c.created_at},
          {"last_seq", last_seq}};
}

json message(const storage::message_record& m) {
  json j = {{"id", m.id},
            {"channel_id", m.channel_id},
            {"seq", m.seq},
            {"author_id", m.author_id},
            {"author", m.author},
            {"content", m.content},
            {"created_at", m.created_at}};
  if (!m.nonce.empty()) {
    j["nonce"] = m.nonce;
  }
  return j;
}

json error_body(const api_error& e) {
  return {{"error", {{"code", code_name(e.code)}, {"message", e.message}}}};
}

namespace {

/// Room for a message's text: its fields' bytes (a few escaped) and the keys around them.
std::size_t text_size_hint(const storage::message_record& m) {
  return 128 + m.id.size() + m.channel_id.size() + m.author_id.size() + m.author.size() +
         m.content.size() + m.nonce.size();
}

void append_message_text(std::string& out, const storage::message_record& m) {
  // nlohmann's objects keep their keys sorted; this writes them in that order.
  out += '{';
  append_string(out, "author", m.author);
  out += ',';
  append_string(out, "author_id", m.author_id);
  out += ',';
  append_string(out, "channel_id", m.channel_id);
  out += ',';
  append_string(out, "content", m.content);
  out += ',';
  append_int(out, "created_at", m.created_at);
  out += ',';
  append_string(out, "id", m.id);
  if (!m.nonce.empty()) {
    out += ',';
    append_string(out, "nonce", m.nonce);
  }
  out += ',';
  append_int(out, "seq", m.seq);
  out += '}';
}

}  // namespace

std::string message_text(const storage::message_record& m) {
  std::string out;
  out.reserve(text_size_hint(m));
  append_message_text(out, m);
  return out;
}

frame make_frame(const json& j) {
  return std::make_shared<const std::string>(dump(j));
}

frame message_frame(const storage::message_record& m) {
  std::string out;
  out.reserve(text_size_hint(m) + 32);
  out += "{\"message\":";
  append_message_text(out, m);
  out += ",\"type\":\"message\"}";
  return std::make_shared<const std::string>(std::move(out));
}

frame ack_frame(const std::string& nonce, const storage::message_record& m) {
  std::string out;
  out.reserve(text_size_hint(m) + nonce.size() + 48);
  out += "{\"message\":";
  append_message_text(out, m);
  out += ',';
  append_string(out, "nonce", nonce);
  out += ",\"type\":\"ack\"}";
  return std::make_shared<const std::string>(std::move(out));
}

void append_ws_header(std::string& out, std::size_t length) {
  namespace ws = boost::beast::websocket::detail;
  ws::frame_header fh{};
  fh.op = ws::opcode::text;
  fh.fin = true;
  fh.mask = false;
  fh.rsv1 = fh.rsv2 = fh.rsv3 = false;
  fh.len = length;
  ws::fh_buffer header;
  ws::write(header, fh);
  out.append(static_cast<const char*>(header.data().data()), header.size());
}

frame ws_text_frames(const std::vector<std::pair<uint64_t, frame>>& frames) {
  std::size_t bytes = 0;
  for (const auto& f : frames) {
    bytes += f.second->size() + max_ws_header;
  }
  std::string out;
  out.reserve(bytes);
  for (const auto& f : frames) {
    append_ws_header(out, f.second->size());
    out += *f.second;
  }
  return std::make_shared<const std::string>(std::move(out));
}

frame error_frame(const api_error& e, const std::string& nonce) {
  json j = {{"type", "error"}, {"code", code_name(e.code)}, {"message", e.message}};
  if (!nonce.empty()) {
    j["nonce"] = nonce;
  }
  return make_frame(j);
}

}  // namespace plexichat::actors::wire
