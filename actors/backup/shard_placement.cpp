#include "actors/backup/shard_placement.hpp"

#include <algorithm>
#include <set>

#include "actors/cluster/placement.hpp"

namespace plexichat::actors::backup {

namespace {

std::string shard_entity(std::string_view chunk_name, int index) {
  std::string entity = "backup-shard";
  entity.push_back('\0');
  entity.append(chunk_name).push_back('\0');
  entity.append(std::to_string(index));
  return entity;
}

}  // namespace

storage::result<std::vector<std::string>> place_shards(std::string_view chunk_name,
                                                       const std::vector<std::string>& peers,
                                                       std::string_view self, int k, int m) {
  if (k < 1 || m < 1) {
    return storage::status{storage::errc::invalid_argument,
                           "backup needs k >= 1 data and m >= 1 parity shards"};
  }
  std::set<std::string> distinct(peers.begin(), peers.end());
  distinct.erase(std::string(self));
  auto total = static_cast<std::size_t>(k + m);
  if (distinct.size() < total) {
    return storage::status{storage::errc::invalid_argument,
                           "backup needs k + m = " + std::to_string(total) +
                               " peers other than this node, " + std::to_string(distinct.size()) +
                               " are up"};
  }
  std::vector<cluster::placement_member> members;
  for (const auto& p : distinct) {
    members.push_back({p, 1.0});
  }
  std::vector<std::string> holders;
  for (int i = 0; i < k + m; ++i) {
    // At most i peers are taken, so the first i + 1 ranked peers hold a free one.
    for (auto& peer : cluster::rank_owners(shard_entity(chunk_name, i), members, i + 1)) {
      if (std::find(holders.begin(), holders.end(), peer) == holders.end()) {
        holders.push_back(std::move(peer));
        break;
      }
    }
  }
  return holders;
}

}  // namespace plexichat::actors::backup
