#pragma once

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace plexichat::runtime {

/// The token ids (JWT "jti") revoked by logout, with their expiry (ms). Read on every
/// authenticated request from any thread; written by the directory actor after the
/// revocation is durable. Expired entries are useless (the token is refused anyway) and are
/// dropped by prune().
class revocation_list {
 public:
  bool is_revoked(std::string_view token_id) const {
    std::shared_lock lock{mutex_};
    return revoked_.find(std::string{token_id}) != revoked_.end();
  }

  void add(std::string token_id, int64_t expires_at_ms) {
    std::unique_lock lock{mutex_};
    revoked_.insert_or_assign(std::move(token_id), expires_at_ms);
  }

  /// Drops the entries that expired before `now_ms`; returns their ids.
  std::vector<std::string> prune(int64_t now_ms) {
    std::vector<std::string> gone;
    std::unique_lock lock{mutex_};
    for (auto i = revoked_.begin(); i != revoked_.end();) {
      if (i->second < now_ms) {
        gone.push_back(i->first);
        i = revoked_.erase(i);
      } else {
        ++i;
      }
    }
    return gone;
  }

  std::size_t size() const {
    std::shared_lock lock{mutex_};
    return revoked_.size();
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, int64_t> revoked_;
};

}  // namespace plexichat::runtime
