#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace plexichat::actors::channel {

/// How soon a channel sends its next fan-out. A fan-out costs about one socket write per
/// local subscriber, however many messages it carries: about 11 us of CPU each on the 2-core
/// machine of tools/plexichat-bench/README.md, against about half a microsecond per message
/// in it. So a channel with many subscribers and a steady stream of messages spaces its
/// fan-outs `per_subscriber` times its subscriber count apart (at most `max_spacing`), which
/// keeps its fan-outs to about half a core, and the messages committed meanwhile share each
/// connection's write. A channel that was quiet that long sends at once; below `min_spacing`
/// (fewer than 50 subscribers) nothing is held back. Pure; the channel actor asks it each
/// time it schedules a fan-out.
class fan_out_pacing {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds per_subscriber{20};
  static constexpr std::chrono::microseconds min_spacing{1000};
  static constexpr std::chrono::microseconds max_spacing{20000};

  /// The spacing for a channel with `subscribers` subscribers: zero when it is below
  /// `min_spacing`.
  static std::chrono::microseconds spacing(std::size_t subscribers) {
    auto s = std::min<std::chrono::microseconds>(per_subscriber * subscribers, max_spacing);
    return s < min_spacing ? std::chrono::microseconds{0} : s;
  }

  /// How long to wait, from `now`, before the fan-out of messages committed now.
  std::chrono::microseconds delay(clock::time_point now, std::size_t subscribers) const {
    if (last_ == clock::time_point::min()) {
      return std::chrono::microseconds{0};
    }
    auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - last_);
    auto s = spacing(subscribers);
    return since >= s ? std::chrono::microseconds{0} : s - since;
  }

  /// A fan-out was sent at `now`.
  void sent(clock::time_point now) { last_ = now; }

 private:
  clock::time_point last_ = clock::time_point::min();  ///< none yet
};

}  // namespace plexichat::actors::channel
