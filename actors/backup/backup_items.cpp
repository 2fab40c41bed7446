#include "actors/backup/backup_items.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "runtime/crypto.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::actors::backup {

namespace sb = storage::backup;
using storage::errc;
using storage::result;

namespace {

constexpr std::string_view index_magic = "PXIX\x01";
constexpr std::size_t wrapped_key_bytes = 73;
constexpr std::size_t max_index_bytes = 16 << 20;

std::string index_seal_name(std::string_view node) {
  return "index:" + std::string(node);
}

nlohmann::json to_json(const std::vector<backup_summary>& backups) {
  auto list = nlohmann::json::array();
  for (const auto& b : backups) {
    list.push_back({{"id", b.id},
                    {"created_ms", b.created_ms},
                    {"size", b.size},
                    {"chunks", b.chunks},
                    {"new_bytes", b.new_bytes},
                    {"shard_bytes", b.shard_bytes}});
  }
  return list;
}

std::optional<std::vector<backup_summary>> from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) {
    return std::nullopt;
  }
  std::vector<backup_summary> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("id") || !e["id"].is_string()) {
      return std::nullopt;
    }
    backup_summary b;
    b.id = e["id"].get<std::string>();
    b.created_ms = e.value("created_ms", int64_t{0});
    b.size = e.value("size", uint64_t{0});
    b.chunks = e.value("chunks", uint64_t{0});
    b.new_bytes = e.value("new_bytes", uint64_t{0});
    b.shard_bytes = e.value("shard_bytes", uint64_t{0});
    out.push_back(std::move(b));
  }
  return out;
}

/// The good shards of one item: decoded, and agreeing with the first that decoded.
struct good_shards {
  sb::shard_header header;
  std::map<int, std::string> payloads;
};

result<good_shards> collect(const std::vector<std::string>& shards) {
  good_shards g;
  bool first = true;
  for (const auto& bytes : shards) {
    auto s = sb::decode_shard(bytes);
    if (!s.ok()) {
      continue;
    }
    auto& h = s.value().header;
    if (first) {
      g.header = h;
      first = false;
    } else if (h.chunk_name != g.header.chunk_name || h.backup_id != g.header.backup_id ||
               h.k != g.header.k || h.m != g.header.m || h.item_length != g.header.item_length) {
      continue;
    }
    g.payloads.emplace(h.index, std::move(s.value().payload));
  }
  if (first || g.payloads.size() < g.header.k) {
    return storage::status{errc::corruption,
                           std::to_string(g.payloads.size()) + " good shards at hand, " +
                               std::to_string(first ? 1 : g.header.k) + " needed"};
  }
  return g;
}

}  // namespace

std::string index_item_name(std::string_view naming_key, std::string_view node) {
  std::string text = "plexichat-backup-index";
  text.push_back('\0');
  text.append(node);
  return sb::chunk_name(naming_key, text);
}

result<std::string> seal_index(const std::vector<backup_summary>& backups, std::string_view node,
                               const sb::master_key& master) {
  auto keys = sb::derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  auto sealed = sb::seal(sb::sealed_kind::manifest, index_seal_name(node), to_json(backups).dump(),
                         keys.value().manifest, 3);
  if (!sealed.ok()) {
    return sealed.error();
  }
  std::string out(index_magic);
  out += sealed.value().wrapped_key;
  out += sealed.value().sealed;
  return out;
}

result<std::vector<backup_summary>> open_index(std::string_view sealed, std::string_view node,
                                               const sb::master_key& master) {
  if (sealed.size() < index_magic.size() + wrapped_key_bytes ||
      sealed.substr(0, index_magic.size()) != index_magic) {
    return storage::status{errc::corruption, "not a backup index"};
  }
  auto keys = sb::derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  sb::sealed_item item{
      std::string(sealed.substr(index_magic.size() + wrapped_key_bytes)),
      std::string(sealed.substr(index_magic.size(), wrapped_key_bytes)),
  };
  auto text = sb::unseal(sb::sealed_kind::manifest, index_seal_name(node), item,
                         keys.value().manifest, max_index_bytes);
  if (!text.ok()) {
    return text.error();
  }
  auto list = from_json(text.value());
  if (!list) {
    return storage::status{errc::corruption, "the backup index is not a list of backups"};
  }
  return std::move(*list);
}

std::string summaries_json(const std::vector<backup_summary>& backups) {
  return to_json(backups).dump();
}

std::vector<backup_summary> summaries_from_json(std::string_view text) {
  return from_json(text).value_or(std::vector<backup_summary>{});
}

sb::item_shards code_item(std::string_view name, std::string_view backup_id, std::string_view item,
                          int k, int m) {
  sb::erasure_coder coder(k, m);
  auto coded = coder.encode(item).shards;
  sb::item_shards out{std::string(name), {}};
  sb::shard_header h;
  h.backup_id = std::string(backup_id);
  h.chunk_name = std::string(name);
  h.k = static_cast<uint8_t>(k);
  h.m = static_cast<uint8_t>(m);
  h.item_length = item.size();
  for (std::size_t i = 0; i < coded.size(); ++i) {
    h.index = static_cast<uint8_t>(i);
    out.shards.push_back(sb::encode_shard(h, coded[i]));
  }
  return out;
}

result<std::string> decode_item(const std::vector<std::string>& shards) {
  auto g = collect(shards);
  if (!g.ok()) {
    return g.error();
  }
  auto& h = g.value().header;
  if (!sb::erasure_coder::validate(h.k, h.m).ok()) {
    return storage::status{errc::corruption, "shards with invalid k and m"};
  }
  sb::erasure_coder coder(h.k, h.m);
  return coder.decode(g.value().payloads, h.item_length);
}

result<std::vector<std::string>> recode_shards(const std::vector<std::string>& shards) {
  auto g = collect(shards);
  if (!g.ok()) {
    return g.error();
  }
  auto item = decode_item(shards);
  if (!item.ok()) {
    return item.error();
  }
  auto& h = g.value().header;
  return code_item(h.chunk_name, h.backup_id, item.value(), h.k, h.m).shards;
}

std::string new_backup_id(int64_t created_ms) {
  return "b" + std::to_string(created_ms);
}

}  // namespace plexichat::actors::backup
