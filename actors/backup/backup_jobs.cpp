#include "actors/backup/backup_jobs.hpp"

#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "actors/backup/shard_placement.hpp"
#include "runtime/files.hpp"
#include "storage/backup/manifest.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::actors::backup {

namespace sb = storage::backup;
using storage::errc;
using storage::status;

namespace {

std::string hex_prefix(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < 6; ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

/// Every shard any peer holds of one item.
std::vector<std::string> gather(const job_context& c, const std::string& owner,
                                const std::string& backup_id, const std::string& name) {
  std::vector<std::string> all;
  for (const auto& peer : c.peers) {
    for (auto& s : c.link->get(peer, owner, backup_id, name)) {
      all.push_back(std::move(s));
    }
  }
  return all;
}

/// How many items store_backup keeps in flight: their shards go out together.
constexpr std::size_t items_in_flight = 8;

/// Stores `items` (each k + m shards) on their placed holders, `items_in_flight` items at a
/// time with every shard of them in flight at once; `stored(i)` after item i is durable on
/// all its holders.
status store_items(const job_context& c, const std::vector<const sb::item_shards*>& items,
                   const std::function<void()>& stored) {
  for (std::size_t first = 0; first < items.size(); first += items_in_flight) {
    auto last = std::min(items.size(), first + items_in_flight);
    std::vector<holder_link::placed_shard> batch;
    for (auto i = first; i < last; ++i) {
      const auto& item = *items[i];
      auto holders = place_shards(item.name, c.peers, c.self, c.k, c.m);
      if (!holders.ok()) {
        return holders.error();
      }
      if (holders.value().size() != item.shards.size()) {
        return {errc::invalid_argument, "the item's shards do not match backup k + m"};
      }
      for (std::size_t s = 0; s < item.shards.size(); ++s) {
        batch.push_back({holders.value()[s], &item.shards[s]});
      }
    }
    auto ok = c.link->put_all(c.self, batch);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      if (b >= ok.size() || !ok[b]) {
        return {errc::io_error,
                "the shard holder of node " + batch[b].node + " did not store a shard"};
      }
    }
    for (auto i = first; i < last && stored; ++i) {
      stored();
    }
  }
  return {};
}

status store_item(const job_context& c, const sb::item_shards& item) {
  return store_items(c, {&item}, {});
}

/// One item verify expects: its backup id, name, and k + m.
struct expected_item {
  std::string backup_id;
  std::string name;
  int k = 0;
  int m = 0;
};

}  // namespace

status store_backup(const job_context& c, const sb::backup_output& out,
                    const std::vector<backup_summary>& index) {
  if (auto placed = place_shards("check", c.peers, c.self, c.k, c.m); !placed.ok()) {
    return placed.error();
  }
  auto keys = sb::derive_keys(c.master);
  if (!keys.ok()) {
    return keys.error();
  }
  auto sealed_index = seal_index(index, c.self, c.master);
  if (!sealed_index.ok()) {
    return sealed_index.error();
  }
  auto index_item = code_item(index_item_name(keys.value().naming, c.self),
                              std::string(index_backup_id), sealed_index.value(), c.k, c.m);
  // Chunks first, then the manifest that lists them, then the index that names the manifest:
  // a holder never has a manifest whose chunks are not stored yet.
  std::vector<const sb::item_shards*> chunks;
  for (const auto& chunk : out.new_chunks) {
    chunks.push_back(&chunk);
  }
  const uint64_t total = chunks.size() + 2;
  uint64_t done = 0;
  auto stored = [&] {
    if (c.progress) {
      c.progress(++done, total);
    }
  };
  for (const auto& step : {chunks, {&out.manifest_shards}, {&index_item}}) {
    if (auto s = store_items(c, step, stored); !s.ok()) {
      return s;
    }
  }
  return {};
}

namespace {

/// The sealed manifest of backup `id`, rebuilt from whatever shards the peers hold.
storage::result<std::string> fetch_sealed_manifest(const job_context& c, const std::string& owner,
                                                   const std::string& id) {
  auto keys = sb::derive_keys(c.master);
  if (!keys.ok()) {
    return keys.error();
  }
  auto shards = gather(c, owner, id, sb::manifest_item_name(keys.value().naming, id));
  auto sealed = decode_item(shards);
  if (!sealed.ok()) {
    return status{errc::corruption,
                  "the manifest of backup " + id +
                      " cannot be rebuilt from the peers: " + sealed.error().message};
  }
  return sealed;
}

}  // namespace

storage::result<sb::manifest> fetch_manifest(const job_context& c, const std::string& owner,
                                             const std::string& id) {
  auto sealed = fetch_sealed_manifest(c, owner, id);
  if (!sealed.ok()) {
    return sealed.error();
  }
  return sb::open_manifest(sealed.value(), c.master);
}

storage::result<std::vector<backup_summary>> fetch_index(const job_context& c,
                                                         const std::string& owner) {
  auto keys = sb::derive_keys(c.master);
  if (!keys.ok()) {
    return keys.error();
  }
  auto shards =
      gather(c, owner, std::string(index_backup_id), index_item_name(keys.value().naming, owner));
  // Holders may keep older copies of the index (placed when other peers were up): group by
  // length, and take the newest index that opens.
  std::map<uint64_t, std::vector<std::string>> by_length;
  for (auto& s : shards) {
    if (auto d = sb::decode_shard(s); d.ok()) {
      by_length[d.value().header.item_length].push_back(std::move(s));
    }
  }
  std::optional<std::vector<backup_summary>> best;
  int64_t best_time = -1;
  for (const auto& [length, group] : by_length) {
    auto sealed = decode_item(group);
    if (!sealed.ok()) {
      continue;
    }
    auto list = open_index(sealed.value(), owner, c.master);
    if (!list.ok()) {
      continue;
    }
    int64_t newest = 0;
    for (const auto& b : list.value()) {
      newest = std::max(newest, b.created_ms);
    }
    if (newest > best_time) {
      best_time = newest;
      best = std::move(list.value());
    }
  }
  if (!best) {
    return status{errc::invalid_argument, "no backup index of node " + owner +
                                              " found on the peers (" +
                                              std::to_string(shards.size()) + " shards of it)"};
  }
  return std::move(*best);
}

verify_report verify_backup(const job_context& c, const std::string& id, bool repair) {
  verify_report report;
  report.backup_id = id;
  auto keys = sb::derive_keys(c.master);
  if (!keys.ok()) {
    report.error = keys.error().message;
    return report;
  }
  auto m = fetch_manifest(c, c.self, id);
  if (!m.ok()) {
    report.error = m.error().message;
    return report;
  }
  std::vector<expected_item> items;
  for (const auto& chunk : m.value().chunks) {
    items.push_back({chunk.backup_id, chunk.name, chunk.k, chunk.m});
  }
  items.push_back({id, sb::manifest_item_name(keys.value().naming, id), m.value().k, m.value().m});
  // The backup index too: a new node finds every backup through it.
  items.push_back(
      {std::string(index_backup_id), index_item_name(keys.value().naming, c.self), c.k, c.m});
  // (backup id, name, index) -> (intact anywhere, held anywhere); item -> nodes holding some.
  std::map<std::tuple<std::string, std::string, int>, std::pair<bool, bool>> seen;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> holders_of;
  for (const auto& peer : c.peers) {
    auto held = c.link->list(peer, c.self);
    if (!held) {
      continue;
    }
    for (const auto& h : *held) {
      auto& s = seen[{h.backup_id, h.chunk_name, h.index}];
      s.first = s.first || h.intact;
      s.second = true;
      if (h.intact) {
        holders_of[{h.backup_id, h.chunk_name}].insert(peer);
      }
    }
  }
  for (const auto& item : items) {
    std::vector<int> bad;
    for (int i = 0; i < item.k + item.m; ++i) {
      ++report.checked;
      auto where = seen.find({item.backup_id, item.name, i});
      auto label = item.backup_id + " " + hex_prefix(item.name) + "#" + std::to_string(i);
      if (where == seen.end()) {
        report.missing.push_back(label);
        bad.push_back(i);
      } else if (!where->second.first) {
        report.corrupt.push_back(label);
        bad.push_back(i);
      }
    }
    if (!repair || bad.empty()) {
      continue;
    }
    auto all = recode_shards(gather(c, c.self, item.backup_id, item.name));
    if (!all.ok()) {
      report.error = "cannot rebuild " + hex_prefix(item.name) + ": " + all.error().message;
      continue;
    }
    auto placed = place_shards(item.name, c.peers, c.self, item.k, item.m);
    auto& holding = holders_of[{item.backup_id, item.name}];
    for (int i : bad) {
      std::string target;
      if (placed.ok() && static_cast<std::size_t>(i) < placed.value().size() &&
          holding.count(placed.value()[i]) == 0) {
        target = placed.value()[i];
      } else {
        for (const auto& peer : c.peers) {
          if (holding.count(peer) == 0) {
            target = peer;
            break;
          }
        }
      }
      if (target.empty() && !c.peers.empty()) {
        target = c.peers[static_cast<std::size_t>(i) % c.peers.size()];
      }
      if (!target.empty() && c.link->put(target, c.self, all.value()[i])) {
        holding.insert(target);
        ++report.repaired;
      }
    }
  }
  return report;
}

storage::result<sb::restore_report> restore_backup(const job_context& c, const std::string& owner,
                                                   std::string id,
                                                   const std::filesystem::path& target,
                                                   restored_backup* found) {
  auto index = fetch_index(c, owner);
  if (id.empty()) {
    if (!index.ok()) {
      return index.error();
    }
    int64_t newest = -1;
    for (const auto& b : index.value()) {
      if (b.created_ms > newest) {
        newest = b.created_ms;
        id = b.id;
      }
    }
    if (id.empty()) {
      return status{errc::invalid_argument, "node " + owner + " has no backup"};
    }
  }
  auto sealed = fetch_sealed_manifest(c, owner, id);
  if (!sealed.ok()) {
    return sealed.error();
  }
  auto m = sb::open_manifest(sealed.value(), c.master);
  if (!m.ok()) {
    return m.error();
  }
  std::map<std::string, std::string, std::less<>> stored_by;
  for (const auto& chunk : m.value().chunks) {
    stored_by[chunk.name] = chunk.backup_id;
  }
  auto fetch = [&](std::string_view name) {
    auto i = stored_by.find(name);
    return i == stored_by.end() ? std::vector<std::string>{}
                                : gather(c, owner, i->second, std::string(name));
  };
  auto report = sb::restore_directory(m.value(), c.master, fetch, target);
  if (found != nullptr && report.ok()) {
    found->id = id;
    found->sealed_manifest = std::move(sealed.value());
    bool listed = false;
    if (index.ok()) {
      for (const auto& b : index.value()) {
        if (b.created_ms <= m.value().created_ms) {
          found->index.push_back(b);
          listed = listed || b.id == id;
        }
      }
    }
    if (!listed) {
      found->index.push_back(
          {id, m.value().created_ms, report.value().bytes_written, m.value().chunks.size(), 0, 0});
    }
  }
  return report;
}

status finish_restore(const std::filesystem::path& target, const sb::master_key& master,
                      const restored_backup& found, bool own) {
  namespace fs = std::filesystem;
  for (const char* name : {"token_signing.key", "audit.key"}) {
    auto path = target / name;
    std::error_code ec;
    if (fs::exists(path, ec)) {
      fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace, ec);
      if (ec) {
        return {errc::io_error, "cannot restrict " + path.string() + ": " + ec.message()};
      }
    }
  }
  if (auto err =
          runtime::write_new_file((target / "backup_master.key").string(), master.bytes, 0600);
      !err.empty()) {
    return {errc::io_error, "cannot write the master key: " + err};
  }
  if (!own) {
    return {};
  }
  auto dir = target / "backups";
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream manifest(dir / (found.id + ".manifest"), std::ios::binary);
  manifest << found.sealed_manifest;
  std::ofstream catalog(dir / "catalog.json", std::ios::binary);
  catalog << summaries_json(found.index);
  if (ec || !manifest.flush() || !catalog.flush()) {
    return {errc::io_error, "cannot write the backup catalog into " + target.string()};
  }
  return {};
}

storage::result<std::map<std::string, std::string>> rotate_backups(
    const job_context& c, const sb::master_key& next, const std::vector<backup_summary>& index) {
  auto keys = sb::derive_keys(next);
  if (!keys.ok()) {
    return keys.error();
  }
  job_context n = c;
  n.master = next;
  std::map<std::string, std::string> rotated;
  struct coded {
    sb::item_shards item;
    int k = 0;
    int m = 0;
  };
  std::vector<coded> items;
  for (const auto& b : index) {
    auto sealed = fetch_sealed_manifest(c, c.self, b.id);
    if (!sealed.ok()) {
      return sealed.error();
    }
    auto again = sb::rotate_manifest(sealed.value(), c.master, next);
    if (!again.ok()) {
      return status{again.error().code,
                    "backup " + b.id + ": the manifest does not rotate: " + again.error().message};
    }
    auto opened = sb::open_manifest(again.value(), next);
    if (!opened.ok()) {
      return opened.error();
    }
    // A manifest keeps the k + m it was made with, as verify expects.
    const auto& m = opened.value();
    items.push_back({code_item(sb::manifest_item_name(keys.value().naming, b.id), b.id,
                               again.value(), m.k, m.m),
                     m.k, m.m});
    rotated[b.id] = std::move(again.value());
  }
  auto sealed_index = seal_index(index, c.self, next);
  if (!sealed_index.ok()) {
    return sealed_index.error();
  }
  items.push_back({code_item(index_item_name(keys.value().naming, c.self),
                             std::string(index_backup_id), sealed_index.value(), c.k, c.m),
                   c.k, c.m});
  for (const auto& [item, k, m] : items) {
    n.k = k;
    n.m = m;
    if (auto s = store_item(n, item); !s.ok()) {
      return s;
    }
  }
  return rotated;
}

uint64_t delete_old_key_items(const job_context& c, const std::vector<backup_summary>& index) {
  auto keys = sb::derive_keys(c.master);
  if (!keys.ok()) {
    return 0;
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& b : index) {
    items.emplace_back(b.id, sb::manifest_item_name(keys.value().naming, b.id));
  }
  items.emplace_back(std::string(index_backup_id), index_item_name(keys.value().naming, c.self));
  uint64_t deleted = 0;
  for (const auto& peer : c.peers) {
    for (const auto& [backup_id, name] : items) {
      deleted += c.link->remove_item(peer, c.self, backup_id, name).value_or(0);
    }
  }
  return deleted;
}

}  // namespace plexichat::actors::backup
