#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

namespace plexichat::actors::channel {

/// Items bound for several destinations ("lanes"), sent in batches with a window per lane: at
/// most `max_in_flight` batches of a lane await their answers, and items that arrive meanwhile
/// queue and go out together, up to `max_batch` at a time, as answers come back. Under load a
/// lane sends one batch for many items; alone, an item goes out at once. The post relay uses
/// one lane per node (post_relay.hpp).
template <class Lane, class Item>
class batch_lanes {
 public:
  batch_lanes(std::size_t max_in_flight, std::size_t max_batch)
      : max_in_flight_(max_in_flight), max_batch_(max_batch) {}

  /// Queues `item` on `lane`. Answers the batch to send now, which counts as in flight, when
  /// the lane has room; otherwise nothing, and the item waits.
  std::vector<Item> push(const Lane& lane, Item item) {
    auto& l = lanes_[lane];
    l.queued.push_back(std::move(item));
    return next(lane, l);
  }

  /// A batch of `lane` was answered, or failed. Answers the next batch to send, if items wait.
  std::vector<Item> settled(const Lane& lane) {
    auto i = lanes_.find(lane);
    if (i == lanes_.end() || i->second.in_flight == 0) {
      return {};
    }
    --i->second.in_flight;
    return next(lane, i->second);
  }

  /// Takes every item queued on `lane` (its destination failed); batches in flight stay.
  std::vector<Item> drain(const Lane& lane) {
    auto i = lanes_.find(lane);
    if (i == lanes_.end()) {
      return {};
    }
    std::vector<Item> items(std::make_move_iterator(i->second.queued.begin()),
                            std::make_move_iterator(i->second.queued.end()));
    i->second.queued.clear();
    if (i->second.in_flight == 0) {
      lanes_.erase(i);
    }
    return items;
  }

  std::size_t in_flight(const Lane& lane) const {
    auto i = lanes_.find(lane);
    return i == lanes_.end() ? 0 : i->second.in_flight;
  }

  std::size_t queued(const Lane& lane) const {
    auto i = lanes_.find(lane);
    return i == lanes_.end() ? 0 : i->second.queued.size();
  }

  /// Lanes with anything in flight or queued; idle lanes are forgotten.
  std::size_t lanes() const { return lanes_.size(); }

 private:
  struct lane_state {
    std::size_t in_flight = 0;
    std::deque<Item> queued;
  };

  std::vector<Item> next(const Lane& lane, lane_state& l) {
    std::vector<Item> batch;
    if (l.in_flight < max_in_flight_ && !l.queued.empty()) {
      auto n = std::min(max_batch_, l.queued.size());
      batch.reserve(n);
      for (std::size_t k = 0; k < n; ++k) {
        batch.push_back(std::move(l.queued.front()));
        l.queued.pop_front();
      }
      ++l.in_flight;
    }
    if (l.in_flight == 0 && l.queued.empty()) {
      lanes_.erase(lane);
    }
    return batch;
  }

  std::size_t max_in_flight_;
  std::size_t max_batch_;
  std::map<Lane, lane_state> lanes_;
};

}  // namespace plexichat::actors::channel
