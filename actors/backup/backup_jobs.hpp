#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/backup/backup_types.hpp"
#include "storage/backup/backup_pipeline.hpp"
#include "storage/errc.hpp"

/// The coordinator's jobs as plain, blocking code over an abstract link to the peers' shard
/// holders: create (after the checkpoint), verify, repair, and find + restore. The actors run
/// them on detached threads with a CAF link; unit tests with an in-memory one.
namespace plexichat::actors::backup {

/// The shard holders of the cluster, by node name. Each call blocks until the holder answers
/// or gives up; a node that is not reachable answers like an empty or failing holder.
class holder_link {
 public:
  virtual ~holder_link() = default;
  /// True once `node` has durably stored `shard` for `owner`.
  virtual bool put(const std::string& node, const std::string& owner, const std::string& shard) = 0;
  /// Every shard `node` holds of chunk `name` in backup `backup_id` for `owner`.
  virtual std::vector<std::string> get(const std::string& node, const std::string& owner,
                                       const std::string& backup_id, const std::string& name) = 0;
  /// Everything `node` holds for `owner`, or nullopt when it does not answer.
  virtual std::optional<std::vector<held_shard>> list(const std::string& node,
                                                      const std::string& owner) = 0;
  /// Deletes backup `backup_id` of `owner` on `node`; false when it did not answer.
  virtual bool remove(const std::string& node, const std::string& owner,
                      const std::string& backup_id) = 0;
  /// Deletes the shards of item `name` alone in backup `backup_id` of `owner` on `node`;
  /// the number deleted, or nullopt when it did not answer.
  virtual std::optional<uint64_t> remove_item(const std::string& node, const std::string& owner,
                                              const std::string& backup_id,
                                              const std::string& name) = 0;

  /// One shard for one holder.
  struct placed_shard {
    std::string node;
    const std::string* shard = nullptr;
  };
  /// Puts every shard of `batch`; which ones were stored, by position. This one puts them
  /// one after the other; a link that can keep several requests in flight does better.
  virtual std::vector<bool> put_all(const std::string& owner,
                                    const std::vector<placed_shard>& batch) {
    std::vector<bool> stored;
    stored.reserve(batch.size());
    for (const auto& p : batch) {
      stored.push_back(put(p.node, owner, *p.shard));
    }
    return stored;
  }
};

/// What a job knows of the cluster and this node.
struct job_context {
  std::string self;                ///< this node's name: the owner of its backups
  std::vector<std::string> peers;  ///< live peers with a shard holder, this node excluded
  storage::backup::master_key master;
  int k = 2;
  int m = 2;
  holder_link* link = nullptr;
  /// Called after each item is stored: (items done, items total).
  std::function<void(uint64_t, uint64_t)> progress;
};

/// Stores `out` (back_up_directory's output: new chunks, then the manifest) on the placed
/// holders, every shard acknowledged, then the index `index` (this backup included) under
/// index_item_name. invalid_argument with fewer than k + m peers, io_error naming the first
/// holder that failed.
[[nodiscard]] storage::status store_backup(const job_context& c,
                                           const storage::backup::backup_output& out,
                                           const std::vector<backup_summary>& index);

/// Fetches and opens the manifest of backup `id` from any k of its holders (every peer is
/// asked).
[[nodiscard]] storage::result<storage::backup::manifest> fetch_manifest(const job_context& c,
                                                                        const std::string& owner,
                                                                        const std::string& id);

/// Fetches and opens `owner`'s backup index from the peers.
[[nodiscard]] storage::result<std::vector<backup_summary>> fetch_index(const job_context& c,
                                                                       const std::string& owner);

/// Checks that every shard of backup `id` (its chunks, wherever first stored, its manifest,
/// and the node's backup index) is on some live peer and intact; with `repair`, re-creates each
/// missing or corrupt one from k survivors on the holder placement now chooses (or another live
/// peer without a shard of that item).
verify_report verify_backup(const job_context& c, const std::string& id, bool repair);

/// What a restore found besides the files: for the restored node's own catalog, so that its
/// next backup only stores what changed and its index keeps the older backups.
struct restored_backup {
  std::string id;
  std::string sealed_manifest;
  std::vector<backup_summary> index;  ///< the backups up to the restored one (maybe empty)
};

/// Restores `owner`'s backup `id` (the newest in its index when empty) into `target`
/// (absent or empty). The report of restore_directory; invalid_argument when no backup is
/// found, corruption when the manifest cannot be rebuilt. `found`, if given, gets the
/// backup's id, sealed manifest and the index.
[[nodiscard]] storage::result<storage::backup::restore_report> restore_backup(
    const job_context& c, const std::string& owner, std::string id,
    const std::filesystem::path& target, restored_backup* found = nullptr);

/// Writes what a restore needs besides the backup's files into `target`: the master key
/// (0600, never over an existing file), mode 0600 on the restored key files, and, when the
/// backup is `target`'s own node's (`own`), its backup catalog and sealed manifest, so that
/// its next backup stores only what changed. io_error naming what could not be written.
[[nodiscard]] storage::status finish_restore(const std::filesystem::path& target,
                                             const storage::backup::master_key& master,
                                             const restored_backup& found, bool own);

/// Master-key rotation, first step: the manifest of every backup in `index` opened with
/// `c.master`, its chunks' data keys wrapped again under `next` (rotate_manifest), stored
/// under `next`'s item name, and the index sealed under `next` stored too. The old key's
/// items stay (a crash leaves both keys working). The new sealed manifests, by backup id;
/// an error (and nothing the old key opens touched) when a manifest cannot be read.
[[nodiscard]] storage::result<std::map<std::string, std::string>> rotate_backups(
    const job_context& c, const storage::backup::master_key& next,
    const std::vector<backup_summary>& index);

/// Master-key rotation, last step, once the node keeps the new key: deletes the manifests
/// and index sealed under `c.master` (the old key) from every peer, so the old key opens
/// nothing any more. The number of shards deleted.
uint64_t delete_old_key_items(const job_context& c, const std::vector<backup_summary>& index);

}  // namespace plexichat::actors::backup
