#pragma once

#include <chrono>

#include <caf/blocking_actor.hpp>

#include "actors/backup/backup_jobs.hpp"
#include "actors/cluster/cluster_view.hpp"

/// holder_link over CAF: requests to the peers' "shards" services from a blocking actor (a
/// job's own detached thread), each waiting at most `timeout`.
namespace plexichat::actors::backup {

class caf_holder_link final : public holder_link {
 public:
  /// Holders are looked up in `view` at each call (the latest peers' service tables).
  caf_holder_link(caf::blocking_actor* self, const cluster::cluster_view_cell* view,
                  std::chrono::milliseconds timeout = std::chrono::seconds{10})
      : self_(self), view_(view), timeout_(timeout) {}

  bool put(const std::string& node, const std::string& owner, const std::string& shard) override;
  std::vector<std::string> get(const std::string& node, const std::string& owner,
                               const std::string& backup_id, const std::string& name) override;
  std::optional<std::vector<held_shard>> list(const std::string& node,
                                              const std::string& owner) override;
  bool remove(const std::string& node, const std::string& owner,
              const std::string& backup_id) override;
  std::optional<uint64_t> remove_item(const std::string& node, const std::string& owner,
                                      const std::string& backup_id,
                                      const std::string& name) override;
  /// Every request sent first, then every answer awaited: the holders write in parallel.
  std::vector<bool> put_all(const std::string& owner,
                            const std::vector<placed_shard>& batch) override;

 private:
  caf::actor holder(const std::string& node) const;

  caf::blocking_actor* self_;
  const cluster::cluster_view_cell* view_;
  std::chrono::milliseconds timeout_;
};

}  // namespace plexichat::actors::backup
