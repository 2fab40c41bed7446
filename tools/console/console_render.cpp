#include "tools/console/console_render.hpp"

#include <algorithm>
#include <chrono>

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
    // "account": this node holds the password hash (it is one of the user's replicas).
    rows.push_back({cell(u, "id"), cell(u, "username"), cell(u, "role"),
                    u.value("account", false) ? "account" : "public", cell(u, "created_at")});
  }
  auto out = text_table({"ID", "USERNAME", "ROLE", "HOLDS", "CREATED"}, rows);
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

/// A Unix time in ms as how long ago it was ("3m10s ago"); 0 as `zero`.
std::string ago_cell(const json& j, const char* key, const char* zero = "-") {
  if (!j.contains(key) || !j[key].is_number()) {
    return "-";
  }
  auto then = j[key].get<int64_t>();
  if (then == 0) {
    return zero;
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return human_duration(std::max<int64_t>(0, now - then)) + " ago";
}

/// 1536 -> "1.5 KiB"; bytes below 1 KiB as they are.
std::string size_cell(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) {
    return "-";
  }
  auto n = j[key].get<uint64_t>();
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  uint64_t tenths = n * 10;
  while (tenths >= 10240 && u < 4) {
    tenths /= 1024;
    ++u;
  }
  if (u == 0) {
    return std::to_string(n) + " B";
  }
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " " + units[u];
}

std::string backups_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : a.value("backups", json::array())) {
    auto state = cell(b, "state");
    if (state == "running") {
      state += " " + cell(b, "chunks_done") + "/" + cell(b, "chunks_total");
    } else if (b.contains("error")) {
      state += ": " + cell(b, "error");
    }
    rows.push_back({cell(b, "id"), ago_cell(b, "created_ms"), size_cell(b, "size"),
                    cell(b, "chunks"), size_cell(b, "new_bytes"), state});
  }
  return text_table({"ID", "CREATED", "SIZE", "CHUNKS", "NEW", "STATE"}, rows);
}

std::string damage_lines(const json& a, const char* key, const char* what) {
  std::string out;
  for (const auto& x : a.value(key, json::array())) {
    out +=
        std::string("  ") + what + " " + (x.is_string() ? x.get<std::string>() : x.dump()) + "\n";
  }
  return out;
}

std::string backup_answer(const console_command& cmd, const json& a) {
  const auto& v = cmd.verb;
  if (v == "list") {
    return backups_table(a);
  }
  if (v == "create") {
    const auto& b = a.value("backup", json::object());
    return "backup " + cell(b, "id") + " " + cell(b, "state") +
           " (`backup list` shows its progress)\n";
  }
  if (v == "verify" || v == "repair") {
    std::string out = "backup " + cell(a, "backup_id") + ": " + cell(a, "checked") +
                      " shards checked, " +
                      std::to_string(a.value("missing", json::array()).size()) + " missing, " +
                      std::to_string(a.value("corrupt", json::array()).size()) + " corrupt";
    if (v == "repair") {
      out += ", " + cell(a, "repaired") + " put back";
    }
    out += a.value("clean", false) ? " (clean)\n" : "\n";
    out += damage_lines(a, "missing", "missing") + damage_lines(a, "corrupt", "corrupt");
    return a.contains("error") ? out + "  error: " + cell(a, "error") + "\n" : out;
  }
  if (v == "restore") {
    if (!a.value("ok", false)) {
      return "backup " + cell(a, "backup_id") + " not restored: " + cell(a, "error") + "\n" +
             damage_lines(a, "lost_chunks", "lost chunk");
    }
    return "restored backup " + cell(a, "backup_id") + " of node " + cell(a, "node") + " (" +
           size_cell(a, "bytes") + ") into " + cell(a, "target") +
           "; start a node on it with --data-dir " + cell(a, "target") + "\n";
  }
  if (v == "rotate-key") {
    if (!a.value("ok", false)) {
      return "master key not rotated: " + cell(a, "error") + "\n";
    }
    return "master key rotated: " + std::to_string(a.value("rotated", json::array()).size()) +
           " backups sealed again, " + cell(a, "old_items_deleted") +
           " shards of the old key deleted. Print the new recovery key on the node: "
           "plexichat-node backup recovery-key --data-dir DIR\n";
  }
  return a.dump(2) + "\n";
}

std::string shards_table(const json& a) {
  std::vector<std::vector<std::string>> rows;
  auto row = [&rows](const json& h) {
    if (h.contains("error")) {
      rows.push_back({cell(h, "node"), "-", "-", "-", "-", cell(h, "error")});
      return;
    }
    rows.push_back({cell(h, "node"), cell(h, "shards"), size_cell(h, "bytes"),
                    ago_cell(h, "last_scrub_ms", "never"), cell(h, "corrupt"), ""});
  };
  if (a.contains("holders")) {
    for (const auto& h : a["holders"]) {
      row(h);
    }
  } else {
    row(a);
  }
  return text_table({"NODE", "SHARDS", "BYTES", "LAST_SCRUB", "CORRUPT", ""}, rows);
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
  if (n == "backup") {
    return backup_answer(cmd, a);
  }
  if (n == "shards") {
    return shards_table(a);
  }
  return a.dump(2) + "\n";
}

}  // namespace plexichat::tools::console
