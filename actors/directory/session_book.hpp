#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/records.hpp"

namespace plexichat::actors::directory {

/// Milliseconds per minute: a session's last use is persisted when it enters a new minute.
inline constexpr int64_t session_persist_interval_ms = 60'000;

/// The directory's view of login sessions: per user, the sessions it has created or loaded
/// from storage, with each session's last use kept in memory. A use is persisted lazily: touch()
/// asks for a write only when the use falls in a later minute than the stored value, so a
/// busy session costs at most one write a minute. Owned by the directory actor (not
/// thread-safe); does no I/O.
class session_book {
 public:
  /// Whether the user's stored sessions have been loaded (load()).
  bool loaded(const std::string& user_id) const { return loaded_.count(user_id) != 0; }

  /// Merges the user's stored sessions; sessions already known win (they are newer), except
  /// that the later last use of the two is kept.
  void load(const std::string& user_id, std::vector<storage::session_record> stored);

  /// A new session (at login); it counts as persisted.
  void add(storage::session_record session);

  /// Records a use of a known session at `now_ms`. Returns the record to persist when the
  /// stored last use is in an earlier minute than now; nullopt otherwise, or when the
  /// session is unknown.
  std::optional<storage::session_record> touch(const std::string& user_id,
                                               const std::string& session_id, int64_t now_ms);

  /// The user's sessions that have not expired at `now_ms`, oldest first. Forgets the expired
  /// ones.
  std::vector<storage::session_record> live(const std::string& user_id, int64_t now_ms);

  /// Removes and returns the user's session; nullopt when the user has no such session.
  std::optional<storage::session_record> remove(const std::string& user_id,
                                                const std::string& session_id);

  /// Whether the user has this session (known in memory).
  bool has(const std::string& user_id, const std::string& session_id) const;

 private:
  struct entry {
    storage::session_record record;
    int64_t persisted_last_used = 0;
  };

  /// The user's sessions and, in them, `session_id`'s; null when either is unknown.
  std::pair<std::map<std::string, entry>*, std::map<std::string, entry>::iterator> find(
      const std::string& user_id, const std::string& session_id);

  std::unordered_map<std::string, std::map<std::string, entry>> users_;
  std::unordered_set<std::string> loaded_;
};

}  // namespace plexichat::actors::directory
