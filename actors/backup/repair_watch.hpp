#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

/// When the backup coordinator repairs on its own (DESIGN.md "Backups, sharded across
/// peers": the coordinator notices lost holders through membership and repairs): it
/// remembers the peers that were live when its backups were last made whole (a backup, a
/// repair), and asks for a repair of every backup once one of them is no longer live, as
/// soon as k + m live peers can take the lost shards. A peer that comes back is not a loss;
/// the shards it kept are spare copies. Plain logic: unit tests drive it without actors.
namespace plexichat::actors::backup {

class repair_watch {
 public:
  explicit repair_watch(std::size_t needed_peers) : needed_(needed_peers) {}

  /// The backups were made whole with `live` holding their shards.
  void whole(const std::vector<std::string>& live);

  /// The live peers now: the remembered peers that are gone, if a repair should run now (a
  /// loss, and at least k + m live peers); empty otherwise.
  std::vector<std::string> lost(const std::vector<std::string>& live) const;

  /// True once whole() was called (there is something to watch).
  bool watching() const { return !holders_.empty(); }

 private:
  std::size_t needed_;
  std::set<std::string> holders_;
};

}  // namespace plexichat::actors::backup
