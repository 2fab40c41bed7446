#include "actors/inspector/inspector_reports.hpp"

#include <charconv>

#include "runtime/crypto.hpp"

namespace plexichat::actors::inspector {

namespace {

json parsed_note(const std::string& note) {
  if (note.empty()) {
    return json::object();
  }
  auto j = json::parse(note, nullptr, false);
  return j.is_discarded() ? json(note) : j;
}

std::optional<uint64_t> parse_id(const std::string& text) {
  uint64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return id;
}

}  // namespace

json error_answer(const std::string& message) {
  return {{"error", message}};
}

json actor_json(const runtime::actor_row& row, int64_t now_ms) {
  json j = {{"id", row.id},
            {"kind", row.kind},
            {"name", row.name},
            {"mailbox", row.mailbox},
            {"handled", row.handled},
            {"started_at", row.started_ms},
            {"age_ms", std::max<int64_t>(now_ms - row.started_ms, 0)}};
  if (!row.note.empty()) {
    j["note"] = parsed_note(row.note);
  }
  return j;
}

json actors_answer(const std::vector<runtime::actor_row>& rows, std::string_view kind,
                   int64_t now_ms) {
  json list = json::array();
  for (const auto& row : rows) {
    if (kind.empty() || row.kind == kind) {
      list.push_back(actor_json(row, now_ms));
    }
  }
  return {{"actors", list}};
}

json actor_answer(const std::vector<runtime::actor_row>& rows, const std::string& id_text,
                  int64_t now_ms) {
  auto id = parse_id(id_text);
  if (!id) {
    return error_answer("not an actor id: '" + id_text + "' (ids are numbers; see `actors`)");
  }
  for (const auto& row : rows) {
    if (row.id == *id) {
      return {{"actor", actor_json(row, now_ms)}};
    }
  }
  return error_answer("no actor with id " + id_text + " on this node");
}

json sessions_answer(const std::vector<runtime::actor_row>& rows) {
  json list = json::array();
  for (const auto& row : rows) {
    if (row.kind != "session") {
      continue;
    }
    auto note = parsed_note(row.note);
    auto field = [&note](const char* key, json fallback) {
      return note.is_object() && note.contains(key) ? note[key] : fallback;
    };
    list.push_back({{"session_id", row.name},
                    {"actor_id", row.id},
                    {"user", field("user", "")},
                    {"user_id", field("user_id", "")},
                    {"address", field("address", "")},
                    {"authenticated", field("authenticated", false)},
                    {"since", row.started_ms},
                    {"channels", field("channels", json::array())}});
  }
  return {{"sessions", list}};
}

cluster::member_info single_member(const std::string& name, const std::string& client_address) {
  return {name, "", client_address, 0, cluster::member_state::up};
}

json members_answer(const cluster::cluster_view& view) {
  json members = json::array();
  for (const auto& m : view.members) {
    members.push_back({{"name", m.name},
                       {"state", cluster::to_string(m.state)},
                       {"draining", m.draining},
                       {"cluster_address", m.cluster_address},
                       {"client_address", m.client_address}});
  }
  return {{"self", view.self}, {"has_majority", view.has_majority}, {"members", members}};
}

json summary_answer(const node_facts& f) {
  json node = {{"name", f.name},
               {"cluster_address", f.cluster_address},
               {"client_address", f.client_address},
               {"state", f.state},
               {"started_at", f.started_ms},
               {"uptime_ms", std::max<int64_t>(f.now_ms - f.started_ms, 0)},
               {"users", f.users},
               {"channels", f.channels},
               {"sessions", f.sessions},
               {"actors", f.actors},
               {"connections", f.connections},
               {"rss_kib", f.rss_kib ? json(*f.rss_kib) : json(nullptr)}};
  return {{"node", node}};
}

json channels_answer(const std::vector<channel_line>& channels,
                     const std::vector<runtime::actor_row>& rows) {
  std::set<std::string> active;
  for (const auto& row : rows) {
    if (row.kind == "channel") {
      active.insert(row.name);
    }
  }
  json list = json::array();
  for (const auto& c : channels) {
    list.push_back({{"id", c.record.id},
                    {"name", c.record.name},
                    {"private", c.record.is_private},
                    {"members", c.members},
                    {"last_seq", c.last_seq},
                    {"active", active.count(c.record.id) > 0}});
  }
  return {{"channels", list}};
}

json audit_record_json(const storage::audit_record& r) {
  auto detail = json::parse(r.detail, nullptr, false);
  return {{"seq", r.seq},
          {"time", r.time},
          {"type", r.type},
          {"actor_id", r.actor_id},
          {"subject", r.subject},
          {"address", r.address},
          {"detail", detail.is_discarded() ? json(r.detail) : detail},
          {"mac", runtime::to_hex(r.mac)}};
}

json verify_answer(const audit::verify_result& r) {
  json body = {{"ok", r.ok}, {"records", r.records}};
  if (!r.ok) {
    body["first_bad_seq"] = r.first_bad_seq;
    body["reason"] = r.reason;
  }
  return body;
}

std::optional<int> parse_log_level(std::string_view name) {
  static const char* const names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (int i = 0; i < 7; ++i) {
    if (name == names[i]) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace plexichat::actors::inspector
