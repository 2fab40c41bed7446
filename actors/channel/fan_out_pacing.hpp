#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace plexichat::actors::channel {

/// How soon a channel sends its next fan-out. A fan-out costs about one socket write per
/// local subscriber, however many messages it carries: about 11 us of CPU each on the 2-core
/// machine of tools/plexichat-bench/README.md, against about half a microsecond per message
/// in it. So a channel with many subscribers and a steady stream of messages spaces its
/// fan-outs `per_subscriber` times its subscriber count apart (at most `max_hold`, the
/// setting `channels.fan_out_max_hold`), which keeps its fan-outs to about half a core, and
/// the messages committed meanwhile share each connection's write. A channel that was quiet
/// that long sends at once; one of fewer than `min_subscribers` is never held back, nor is
/// any with a `max_hold` of zero. Pure; the channel actor asks it each time it schedules a
/// fan-out.
class fan_out_pacing {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds per_subscriber{20};
  static constexpr std::size_t min_subscribers = 50;

  explicit fan_out_pacing(std::chrono::microseconds max_hold) : max_hold_(max_hold) {}

  /// The spacing for a channel with `subscribers` subscribers: zero when it is not held back.
  std::chrono::microseconds spacing(std::size_t subscribers) const {
    if (subscribers < min_subscribers) {
      return std::chrono::microseconds{0};
    }
    return std::min<std::chrono::microseconds>(per_subscriber * subscribers, max_hold_);
  }

  /// How long to wait, from `now`, before the fan-out of messages committed now.
  std::chrono::microseconds delay(clock::time_point now, std::size_t subscribers) const {
    auto s = spacing(subscribers);
    if (s.count() <= 0 || last_ == clock::time_point::min()) {
      return std::chrono::microseconds{0};
    }
    auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - last_);
    return since >= s ? std::chrono::microseconds{0} : s - since;
  }

  /// A fan-out was sent at `now`.
  void sent(clock::time_point now) { last_ = now; }

 private:
  std::chrono::microseconds max_hold_;
  clock::time_point last_ = clock::time_point::min();  ///< none yet
};

}  // namespace plexichat::actors::channel
