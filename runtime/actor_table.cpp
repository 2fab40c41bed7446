#include "runtime/actor_table.hpp"

#include <algorithm>

namespace plexichat::runtime {

std::shared_ptr<actor_entry> actor_table::add(const char* kind, std::string name, uint64_t id,
                                              int64_t started_ms, caf::actor_addr address) {
  auto entry =
      std::make_shared<actor_entry>(kind, std::move(name), id, started_ms, std::move(address));
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
  std::vector<actor_row> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    rows.push_back({e->kind(),
                    e->name(),
                    e->id(),
                    e->started_ms(),
                    e->handled(),
                    e->mailbox(),
                    e->address(),
                    {}});
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
