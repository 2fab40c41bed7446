#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backup/backup_keys.hpp"
#include "storage/backup/backup_pipeline.hpp"
#include "storage/errc.hpp"

/// The items of a node's backups besides chunks, and the shard arithmetic the coordinator
/// needs around the codec of storage/backup: the sealed "backup index" (this node's
/// backups, so that a new node with only the master key finds them), coding any sealed item
/// into shards and back, and re-creating lost shards from k survivors. Plain functions, safe
/// on any thread; CPU-heavy ones belong off the scheduler threads.
namespace plexichat::actors::backup {

/// The backup id under which every node's index shards are stored (a backup's own ids are
/// "b" + digits, so they never clash).
inline constexpr std::string_view index_backup_id = "index";

/// One backup in the index.
struct backup_summary {
  std::string id;
  int64_t created_ms = 0;
  uint64_t size = 0;         ///< plaintext bytes of every file
  uint64_t chunks = 0;       ///< chunks the manifest lists
  uint64_t new_bytes = 0;    ///< plaintext bytes of the chunks this backup stored first
  uint64_t shard_bytes = 0;  ///< encoded bytes of those chunks' shards
  bool operator==(const backup_summary&) const = default;
};

/// The well-known item name of `node`'s index: keyed BLAKE2b (naming key) of
/// "plexichat-backup-index" 0x00 node. Only the master key's holder can compute it.
std::string index_item_name(std::string_view naming_key, std::string_view node);

/// The index as JSON, sealed with the manifest subkey under kind manifest and name "index:"
/// + node: "PXIX" 0x01 wrapped key (73) sealed JSON.
[[nodiscard]] storage::result<std::string> seal_index(const std::vector<backup_summary>& backups,
                                                      std::string_view node,
                                                      const storage::backup::master_key& master);
/// The backups of a sealed index; corruption when the key does not open it or it is not an
/// index of `node`.
[[nodiscard]] storage::result<std::vector<backup_summary>> open_index(
    std::string_view sealed, std::string_view node, const storage::backup::master_key& master);

/// The list as plain JSON (the node's local catalog) and back; an unreadable text is empty.
std::string summaries_json(const std::vector<backup_summary>& backups);
std::vector<backup_summary> summaries_from_json(std::string_view text);

/// `item` erasure-coded into k + m encoded shards (shard_codec.hpp) named `name`, in backup
/// `backup_id`. k, m must be valid (erasure_coder::validate).
storage::backup::item_shards code_item(std::string_view name, std::string_view backup_id,
                                       std::string_view item, int k, int m);

/// The item that `shards` (encoded, any order, some corrupt or of another item) rebuild:
/// shards that do not decode or do not match the first good one's name, backup id, counts and
/// lengths are dropped. corruption when fewer than k good ones remain.
[[nodiscard]] storage::result<std::string> decode_item(const std::vector<std::string>& shards);

/// Every shard (k + m, by index) of the item that `shards` rebuild, with the same header
/// fields: what repair puts back where a shard was lost. corruption as decode_item.
[[nodiscard]] storage::result<std::vector<std::string>> recode_shards(
    const std::vector<std::string>& shards);

/// A new backup id: "b" + the creation time in ms (sortable, <= 64 bytes).
std::string new_backup_id(int64_t created_ms);

}  // namespace plexichat::actors::backup
