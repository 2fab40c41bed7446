#include "actors/backup/repair_watch.hpp"

#include <algorithm>

namespace plexichat::actors::backup {

void repair_watch::whole(const std::vector<std::string>& live) {
  holders_ = {live.begin(), live.end()};
}

std::vector<std::string> repair_watch::lost(const std::vector<std::string>& live) const {
  std::vector<std::string> gone;
  if (live.size() < needed_) {
    return gone;
  }
  for (const auto& h : holders_) {
    if (std::find(live.begin(), live.end(), h) == live.end()) {
      gone.push_back(h);
    }
  }
  return gone;
}

}  // namespace plexichat::actors::backup
