#include "actors/wire.hpp"

namespace plexichat::actors::wire {

using nlohmann::json;

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

frame make_frame(const json& j) {
  // Replace, never throw, on bad UTF-8: input was validated, this is the last guard.
  return std::make_shared<const std::string>(
      j.dump(-1, ' ', false, json::error_handler_t::replace));
}

frame message_frame(const storage::message_record& m) {
  return make_frame({{"type", "message"}, {"message", message(m)}});
}

frame error_frame(const api_error& e, const std::string& nonce) {
  json j = {{"type", "error"}, {"code", code_name(e.code)}, {"message", e.message}};
  if (!nonce.empty()) {
    j["nonce"] = nonce;
  }
  return make_frame(j);
}

}  // namespace plexichat::actors::wire
