#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// Where an entity (a channel, a user) lives in the cluster: weighted rendezvous hashing
/// (highest random weight) over the live members, as DESIGN.md "The cluster" asks. Every node
/// computes the same answer from the same member list, and when a member joins or leaves
/// only the entities it gains or loses move. Plain logic: no actors, safe on any thread.
namespace plexichat::actors::cluster {

/// A member that can hold entities, and its share: weight 2 holds about twice as many
/// entities as weight 1. Weights must be positive.
struct placement_member {
  std::string node;
  double weight = 1.0;
};

/// The members responsible for `entity`, best first: the first is the owner, the next
/// `count - 1` are its replicas. Returns min(count, members.size()) distinct nodes; the order
/// does not depend on the order of `members`. Members of weight <= 0 are never chosen.
std::vector<std::string> rank_owners(std::string_view entity,
                                     const std::vector<placement_member>& members,
                                     std::size_t count);

/// The owner of `entity` (rank_owners' first), or an empty string when no member can hold it.
std::string owner_of(std::string_view entity, const std::vector<placement_member>& members);

}  // namespace plexichat::actors::cluster
