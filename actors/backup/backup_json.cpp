#include "actors/backup/backup_json.hpp"

namespace plexichat::actors::backup {

using nlohmann::json;

namespace {

void add_error(json& j, const std::string& error) {
  if (!error.empty()) {
    j["error"] = error;
  }
}

}  // namespace

json status_json(const backup_status& b) {
  json j = {{"id", b.summary.id},
            {"created_ms", b.summary.created_ms},
            {"size", b.summary.size},
            {"chunks", b.summary.chunks},
            {"new_bytes", b.summary.new_bytes},
            {"state", b.state},
            {"chunks_done", b.chunks_done},
            {"chunks_total", b.chunks_total}};
  add_error(j, b.error);
  return j;
}

json report_json(const verify_report& r) {
  json j = {{"backup_id", r.backup_id}, {"clean", r.clean()},   {"checked", r.checked},
            {"missing", r.missing},     {"corrupt", r.corrupt}, {"repaired", r.repaired}};
  add_error(j, r.error);
  return j;
}

json restore_json(const restore_outcome& r) {
  json j = {{"ok", r.ok()},
            {"backup_id", r.backup_id},
            {"node", r.owner},
            {"target", r.target},
            {"bytes", r.bytes},
            {"lost_chunks", r.lost_chunks},
            {"rejected_shards", r.rejected_shards}};
  add_error(j, r.error);
  return j;
}

json rotation_json(const key_rotation& r) {
  json j = {
      {"ok", r.error.empty()}, {"rotated", r.rotated}, {"old_items_deleted", r.old_items_deleted}};
  add_error(j, r.error);
  return j;
}

json holder_json(const holder_stats& s) {
  return {{"shards", s.count},
          {"bytes", s.bytes},
          {"last_scrub_ms", s.last_scrub_ms},
          {"corrupt", s.corrupt}};
}

}  // namespace plexichat::actors::backup
