#include "tools/console/console_render.hpp"

#include <algorithm>

namespace plexichat::tools::console {

namespace {

using nlohmann::json;

/// A cell: strings as they are, numbers as digits, null as "-".
std::string cell(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) {
    return "-";
  }
  const auto& v = j[key];
  if (v.is_string()) {
    return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  }
  if (v.is_boolean()) {
    return v.get<bool>() ? "yes" : "no";
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) {
      out += (out.empty() ? "" : ",") + (x.is_string() ? x.get<std::string>() : x.dump());
    }
    return out.empty() ? "-" : out;
  }
  return v.dump();
}

std::string duration_cell(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? human_duration(j[key].get<int64_t>()) : "-";
}

std::string memory_cell(const json& j) {
  if (!j.contains("rss_kib") || !j["rss_kib"].is_number()) {
    return "-";
  }
  auto kib = j["rss_kib"].get<uint64_t>();
  return std::to_string(kib / 1024) + "." + std::to_string((kib % 1024) * 10 / 1024) + " MiB";
}

std::string nodes_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : a.value("nodes", json::array())) {
    auto state = cell(n, "state") + (n.value("draining", false) ? " (draining)" : "");
    rows.push_back({cell(n, "name"), state, cell(n, "cluster_address"), cell(n, "client_address"),
                    duration_cell(n, "uptime_ms"), cell(n, "users"), cell(n, "channels"),
                    cell(n, "sessions"), cell(n, "actors"), cell(n, "connections"),
                    memory_cell(n)});
  }
  return text_table({"NAME", "STATE", "CLUSTER", "CLIENT", "UPTIME", "USERS", "CHANNELS",
                     "SESSIONS", "ACTORS", "CONNS", "MEMORY"},
                    rows);
}

std::string actors_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : a.value("actors", json::array())) {
    rows.push_back({cell(x, "id"), cell(x, "kind"), cell(x, "name"), cell(x, "mailbox"),
                    cell(x, "handled"), duration_cell(x, "age_ms")});
  }
  return text_table({"ID", "KIND", "NAME", "MAILBOX", "HANDLED", "AGE"}, rows);
}

std::string actor_detail(const json& a) {
  const auto& x = a.value("actor", json::object());
  std::string out;
  for (const char* key : {"id", "kind", "name", "mailbox", "handled", "started_at"}) {
    out += std::string(key) + ": " + cell(x, key) + "\n";
  }
  out += "age: " + duration_cell(x, "age_ms") + "\n";
  if (x.contains("note")) {
    out += "note: " + x["note"].dump() + "\n";
  }
  return out;
}

std::string sessions_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : a.value("sessions", json::array())) {
    rows.push_back({cell(s, "session_id"), cell(s, "user"), cell(s, "address"), cell(s, "since"),
                    cell(s, "channels")});
  }
  return text_table({"SESSION", "USER", "ADDRESS", "SINCE", "CHANNELS"}, rows);
}

std::string channels_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : a.value("channels", json::array())) {
    rows.push_back({cell(c, "id"), cell(c, "name"), cell(c, "private"), cell(c, "members"),
                    cell(c, "last_seq"), cell(c, "owner"), cell(c, "active")});
  }
  return text_table({"ID", "NAME", "PRIVATE", "MEMBERS", "LAST_SEQ", "OWNER", "ACTIVE"}, rows);
}

std::string where_detail(const json& a) {
  std::string out;
  for (const char* key : {"channel", "name", "owner", "epoch", "last_seq", "subscribers"}) {
    out += std::string(key) + ": " + cell(a, key) + "\n";
  }
  out += "placement: " + cell(a, "placement") + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : a.value("replicas", json::array())) {
    auto state = r.value("in_sync", false)   ? "in sync"
                 : r.value("copying", false) ? "copying"
                                             : "behind";
    rows.push_back({cell(r, "node"), state, cell(r, "last_seq")});
  }
  return rows.empty() ? out : out + text_table({"REPLICA", "STATE", "LAST_SEQ"}, rows);
}

std::string users_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : a.value("users", json::array())) {
    rows.push_back({cell(u, "id"), cell(u, "username"), cell(u, "role"), cell(u, "created_at")});
  }
  auto out = text_table({"ID", "USERNAME", "ROLE", "CREATED"}, rows);
  return a.value("has_more", false) ? out + "(more: --limit N)\n" : out;
}

std::string audit_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : a.value("records", json::array())) {
    rows.push_back({cell(r, "seq"), cell(r, "time"), cell(r, "type"), cell(r, "actor_id"),
                    cell(r, "subject"), cell(r, "address")});
  }
  auto out = text_table({"SEQ", "TIME", "TYPE", "ACTOR", "SUBJECT", "ADDRESS"}, rows);
  if (a.value("has_more", false) && !rows.empty()) {
    out += "(more: audit --after " + rows.back()[0] + ")\n";
  }
  return out;
}

std::string verify_line(const json& a) {
  if (a.value("ok", false)) {
    return "audit log intact: " + cell(a, "records") + " records\n";
  }
  return "audit log damaged at seq " + cell(a, "first_bad_seq") + ": " + cell(a, "reason") + "\n";
}

}  // namespace

std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    width[i] = header[i].size();
    for (const auto& r : rows) {
      width[i] = std::max(width[i], i < r.size() ? r[i].size() : 0);
    }
  }
  auto line = [&width](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < width.size(); ++i) {
      std::string c = i < cells.size() ? cells[i] : "";
      if (i + 1 < width.size()) {
        c.resize(width[i], ' ');
        c += "  ";
      }
      out += c;
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& r : rows) {
    out += line(r);
  }
  return out;
}

std::string human_duration(int64_t ms) {
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  int64_t s = ms / 1000;
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
  if (d > 0) {
    return std::to_string(d) + "d" + std::to_string(h) + "h";
  }
  if (h > 0) {
    return std::to_string(h) + "h" + std::to_string(m) + "m";
  }
  if (m > 0) {
    return std::to_string(m) + "m" + std::to_string(sec) + "s";
  }
  return std::to_string(sec) + "s";
}

std::string render_answer(const console_command& cmd, const json& a) {
  const auto& n = cmd.name;
  if (n == "nodes") {
    return nodes_table(a);
  }
  if (n == "actors") {
    return actors_table(a);
  }
  if (n == "actor") {
    return actor_detail(a);
  }
  if (n == "sessions") {
    return sessions_table(a);
  }
  if (n == "channels") {
    return channels_table(a);
  }
  if (n == "users") {
    return users_table(a);
  }
  if (n == "where") {
    return where_detail(a);
  }
  if (n == "drain" || n == "undrain") {
    return "node " + cell(a, "node") +
           (a.value("draining", false) ? " is draining" : " is not draining") + "\n";
  }
  if (n == "audit") {
    return audit_table(a);
  }
  if (n == "audit-verify") {
    return verify_line(a);
  }
  if (n == "grant" || n == "revoke") {
    return cell(a, "user") + " is now " + cell(a, "role") + "\n";
  }
  if (n == "log-level") {
    return "node " + cmd.node + ": log level " + cell(a, "log_level") + "\n";
  }
  if (n == "metrics") {
    return a.value("metrics", "");
  }
  return a.dump(2) + "\n";
}

}  // namespace plexichat::tools::console
