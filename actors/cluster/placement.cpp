#include "actors/cluster/placement.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/crypto.hpp"

namespace plexichat::actors::cluster {

namespace {

/// The member's score for the entity: weight / -ln(u), u uniform in (0, 1) from the hash of
/// (node, entity). The highest score wins; with equal weights this is plain rendezvous
/// hashing, and with unequal ones each member wins in proportion to its weight.
double score(std::string_view entity, const placement_member& m) {
  std::string key;
  key.reserve(m.node.size() + entity.size() + 1);
  key.append(m.node).push_back('\0');
  key.append(entity);
  auto h = runtime::stable_hash64(key);
  // 53 bits make an exact double; +0.5 keeps u strictly inside (0, 1).
  double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
  return m.weight / -std::log(u);
}

}  // namespace

std::vector<std::string> rank_owners(std::string_view entity,
                                     const std::vector<placement_member>& members,
                                     std::size_t count) {
  std::vector<std::pair<double, const std::string*>> scored;
  scored.reserve(members.size());
  for (const auto& m : members) {
    if (m.weight > 0) {
      scored.emplace_back(score(entity, m), &m.node);
    }
  }
  // Ties (practically impossible) break by name, so every node agrees.
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  });
  std::vector<std::string> out;
  for (const auto& [s, node] : scored) {
    if (out.size() == count) {
      break;
    }
    if (std::find(out.begin(), out.end(), *node) == out.end()) {
      out.push_back(*node);
    }
  }
  return out;
}

std::string owner_of(std::string_view entity, const std::vector<placement_member>& members) {
  auto ranked = rank_owners(entity, members, 1);
  return ranked.empty() ? std::string{} : ranked.front();
}

}  // namespace plexichat::actors::cluster
