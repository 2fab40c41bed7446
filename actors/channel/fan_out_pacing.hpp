#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace plexichat::actors::channel {

/// When a channel sends its committed messages to which subscribers. A fan-out costs about
/// one socket write per local subscriber, however many messages it carries: about 11 us of
/// CPU each on the 2-core machine of tools/plexichat-bench/README.md, against about half a
/// microsecond per message in it. So a channel with many subscribers and a steady stream of
/// messages writes to each of them only every `spacing` (`per_subscriber` times its
/// subscriber count, at most `max_hold`, the setting `channels.fan_out_max_hold`), which
/// keeps its fan-outs to about half a core, and the messages committed meanwhile share each
/// connection's write.
///
/// Subscribers are dealt into `groups` groups, each with its own turn, and a busy channel
/// staggers the turns over its spacing: the writes of one spacing are spread over all of it
/// instead of coming in one sweep over every connection, so a message waits at most one
/// spacing plus the sweep over one group (not over all of them). Turns closer than
/// `min_turn_gap` are taken together, and there are at most `turns` of them (the setting
/// `channels.fan_out_turns`; 1 writes to every group at once, in one sweep). Spread turns
/// cost more CPU than one sweep: about a tenth more per delivery in the 1,000-subscriber run
/// of tools/plexichat-bench/README.md, with more wake-ups and context switches. A channel that was
/// quiet that long sends at once to everyone; one of fewer than `min_subscribers` is never held
/// back, nor is any with a `max_hold` of zero. Pure; the channel actor asks it whenever a message
/// is committed or a turn comes.
class fan_out_pacing {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds per_subscriber{20};
  static constexpr std::size_t min_subscribers = 50;
  static constexpr std::size_t groups = 8;
  static constexpr std::chrono::microseconds min_turn_gap{2500};
  using group_set = std::uint32_t;  ///< bit g: group g
  static constexpr group_set every_group = (group_set{1} << groups) - 1;

  /// `turns` (1 to `groups`, the setting `channels.fan_out_turns`): the most turns a spacing
  /// is split into.
  explicit fan_out_pacing(std::chrono::microseconds max_hold, std::size_t turns = groups)
      : max_hold_(max_hold), turns_(std::clamp<std::size_t>(turns, 1, groups)) {}

  /// The spacing for a channel with `subscribers` subscribers: zero when it is not held back.
  std::chrono::microseconds spacing(std::size_t subscribers) const {
    if (subscribers < min_subscribers) {
      return std::chrono::microseconds{0};
    }
    return std::min<std::chrono::microseconds>(per_subscriber * subscribers, max_hold_);
  }

  /// The group a new subscriber joins (round robin, so the groups stay about even).
  std::size_t next_group() { return next_group_++ % groups; }

  /// A message with `seq` was committed (seqs only grow) and waits for the groups' turns.
  void queued(uint64_t seq) { newest_ = std::max(newest_, seq); }

  /// When the next group that has not been sent the newest message is due; none when every
  /// group has been sent everything.
  std::optional<clock::time_point> next_due(std::size_t subscribers) const {
    auto s = spacing(subscribers);
    std::optional<clock::time_point> due;
    for (const auto& g : groups_) {
      if (g.sent < newest_) {
        auto at = due_at(g, s);
        due = due ? std::min(*due, at) : at;
      }
    }
    return due;
  }

  /// A turn: the groups to send to now, and the seq each had been sent up to (they get the
  /// messages after it).
  struct turn {
    group_set to = 0;
    std::array<uint64_t, groups> after{};
  };

  /// Takes the turns due at `now` (every group with something to send, if `all`) and counts
  /// those groups as sent everything queued.
  turn take(clock::time_point now, std::size_t subscribers, bool all = false) {
    auto s = spacing(subscribers);
    turn t;
    for (std::size_t i = 0; i < groups; ++i) {
      auto& g = groups_[i];
      if (g.sent < newest_ && (all || due_at(g, s) <= now)) {
        t.to |= group_set{1} << i;
        t.after[i] = g.sent;
      }
    }
    // Every group at once (after a quiet spell): stagger their next turns over the spacing.
    // Otherwise a group keeps its cadence (counted from when it was due, so that a late
    // timer does not shift it) unless it is later than half a spacing.
    bool everyone = t.to == every_group;
    for (std::size_t i = 0; i < groups; ++i) {
      auto& g = groups_[i];
      if (!(t.to & (group_set{1} << i))) {
        continue;
      }
      auto due = due_at(g, s);
      if (everyone) {
        g.last = now - offset(i, s);
      } else if (s.count() > 0 && g.last != clock::time_point::min() && now - due < s / 2) {
        g.last = due;
      } else {
        g.last = now;
      }
      g.sent = newest_;
    }
    return t;
  }

  /// Every group has been sent the messages up to this seq (they can be let go).
  uint64_t sent_to_all() const {
    uint64_t upto = newest_;
    for (const auto& g : groups_) {
      upto = std::min(upto, g.sent);
    }
    return upto;
  }

 private:
  struct group {
    clock::time_point last = clock::time_point::min();  ///< its last turn; none yet
    uint64_t sent = 0;                                  ///< sent the messages up to this seq
  };

  static clock::time_point due_at(const group& g, std::chrono::microseconds s) {
    if (s.count() <= 0 || g.last == clock::time_point::min()) {
      return clock::time_point::min();
    }
    return g.last + s;
  }

  /// How much sooner than a full spacing group `i` gets its next turn after all went at once:
  /// the turns are spread evenly over the spacing, in slots at least min_turn_gap apart.
  std::chrono::microseconds offset(std::size_t i, std::chrono::microseconds s) const {
    auto slots = std::clamp<std::size_t>(static_cast<std::size_t>(s / min_turn_gap), 1, turns_);
    return s * static_cast<int64_t>(i % slots) / static_cast<int64_t>(slots);
  }

  std::chrono::microseconds max_hold_;
  std::size_t turns_;
  std::array<group, groups> groups_{};
  uint64_t newest_ = 0;  ///< the newest message queued
  std::size_t next_group_ = 0;
};

}  // namespace plexichat::actors::channel
