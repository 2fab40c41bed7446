#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace plexichat::actors::session {

/// Whom the session clock ticks, and when (session_clock.hpp); a plain class, `Handle` is the
/// clock's weak reference to a session.
///
/// - A ready session joins one of `groups` groups, dealt round robin; each turn of the clock
///   ticks one group, so one cycle of `groups` turns ticks every ready session once, spread
///   over the cycle rather than in one burst.
/// - A session not yet authenticated is ticked once, at its auth deadline: deadlines come in
///   the order sessions open (the timeout is the same for all), so they queue first in,
///   first out.
template <class Handle, std::size_t groups = 8>
class tick_schedule {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  void join(Handle h) { groups_[next_join_++ % groups].push_back(std::move(h)); }

  /// Queues `h` for a tick at `deadline`, which must not be before the last one queued.
  void await(Handle h, time_point deadline) { deadlines_.emplace_back(deadline, std::move(h)); }

  /// The next group's turn: calls `tick(h)` for each of its sessions, and forgets those for
  /// which it answers false (stopped).
  template <class Tick>
  void turn(Tick&& tick) {
    auto& group = groups_[next_turn_++ % groups];
    std::size_t kept = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (tick(group[i])) {
        if (kept != i) {
          group[kept] = std::move(group[i]);
        }
        ++kept;
      }
    }
    group.resize(kept);
  }

  /// Calls `tick(h)` for each deadline due at `now`, and forgets them.
  template <class Tick>
  void due(time_point now, Tick&& tick) {
    while (!deadlines_.empty() && deadlines_.front().first <= now) {
      tick(deadlines_.front().second);
      deadlines_.pop_front();
    }
  }

  /// The earliest deadline still queued.
  std::optional<time_point> next_deadline() const {
    if (deadlines_.empty()) {
      return std::nullopt;
    }
    return deadlines_.front().first;
  }

  std::size_t joined() const {
    std::size_t n = 0;
    for (const auto& g : groups_) {
      n += g.size();
    }
    return n;
  }

 private:
  std::array<std::vector<Handle>, groups> groups_;
  std::size_t next_join_ = 0;
  std::size_t next_turn_ = 0;
  std::deque<std::pair<time_point, Handle>> deadlines_;
};

}  // namespace plexichat::actors::session
