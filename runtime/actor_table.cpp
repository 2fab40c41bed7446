#include "runtime/actor_table.hpp"

#include <algorithm>

namespace plexichat::runtime {

namespace {
/// Guards every entry's note: notes change when a session starts, authenticates or
/// subscribes, and are read by the console; one mutex per entry was 40 bytes per session.
std::mutex notes_mutex;
}  // namespace

void actor_entry::set_note(std::string note) {
  note.shrink_to_fit();  // a dump grows its string by doubling: keep only what it holds
  std::lock_guard lock{notes_mutex};
  note_.swap(note);  // the old note is freed outside the lock
}

std::string actor_entry::note() const {
  std::lock_guard lock{notes_mutex};
  return note_;
}

std::shared_ptr<actor_entry> actor_table::add(const char* kind, std::string name, uint64_t id,
                                              int64_t started_ms) {
  auto entry = std::make_shared<actor_entry>(kind, std::move(name), id, started_ms);
  std::lock_guard lock{mutex_};
  entries_[id] = entry;
  return entry;
}

void actor_table::remove(uint64_t id) {
  std::lock_guard lock{mutex_};
  entries_.erase(id);
}

std::vector<actor_row> actor_table::snapshot() const {
  std::vector<std::shared_ptr<actor_entry>> entries;
  {
    std::lock_guard lock{mutex_};
    entries.reserve(entries_.size());
    for (const auto& [id, e] : entries_) {
      entries.push_back(e);
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a->id() < b->id(); });
  // Notes are read outside the table's lock: an actor updating its note never waits on it.
  std::vector<actor_row> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    rows.push_back(
        {e->kind(), e->name(), e->id(), e->started_ms(), e->handled(), e->mailbox(), e->note()});
  }
  return rows;
}

std::shared_ptr<const actor_entry> actor_table::find(uint64_t id) const {
  std::lock_guard lock{mutex_};
  auto i = entries_.find(id);
  return i == entries_.end() ? nullptr : i->second;
}

std::map<std::string, kind_totals> actor_table::totals(
    const std::vector<std::string>& always) const {
  std::map<std::string, kind_totals> out;
  for (const auto& k : always) {
    out[k];
  }
  std::lock_guard lock{mutex_};
  for (const auto& [id, e] : entries_) {
    auto& t = out[e->kind()];
    t.actors += 1;
    t.mailbox += e->mailbox();
  }
  return out;
}

std::size_t actor_table::size() const {
  std::lock_guard lock{mutex_};
  return entries_.size();
}

}  // namespace plexichat::runtime
