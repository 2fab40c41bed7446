#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/errc.hpp"

/// Where the k + m shards of a backup chunk go: rendezvous hashing of (chunk name, shard
/// index) over the peers, reusing the cluster's (actors/cluster/placement.hpp). Plain logic
/// for the backup coordinator; no actors, safe on any thread.
namespace plexichat::actors::backup {

/// The holder of each shard of chunk `chunk_name`, by index (k + m of them). Shard i goes to
/// the best-ranked peer for (chunk name, i) that no lower index took, so the holders are
/// distinct, never `self`, the same on every node whatever the order of `peers`, and when a
/// peer leaves, mostly just the shards it held move. Duplicate peers count once.
/// invalid_argument ("backup needs k + m = 4 peers other than this node, 3 are up") when
/// there are fewer than k + m peers besides `self`, or when k or m is below 1.
[[nodiscard]] storage::result<std::vector<std::string>> place_shards(
    std::string_view chunk_name, const std::vector<std::string>& peers, std::string_view self,
    int k, int m);

}  // namespace plexichat::actors::backup
