#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace plexichat::runtime {

/// A map from string keys to V that holds at most `capacity` entries: using an entry makes
/// it the most recent, and inserting into a full table first drops the least recently used
/// one. Keeps a limiter's memory bounded however many distinct clients it sees. Not
/// thread-safe: its owner holds a lock.
template <typename V>
class lru_table {
 public:
  explicit lru_table(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// The entry of `key` made most recent, or nullptr.
  V* find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      return nullptr;
    }
    order_.splice(order_.end(), order_, it->second);
    return &it->second->second;
  }

  /// The entry of `key` made most recent, inserting `fresh` (evicting the least recent entry
  /// if full) when there is none.
  V& get_or_insert(const std::string& key, V fresh) {
    if (V* found = find(key)) {
      return *found;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.front().first);
      order_.pop_front();
    }
    order_.emplace_back(key, std::move(fresh));
    auto last = std::prev(order_.end());
    index_.emplace(key, last);
    return last->second;
  }

  void erase(const std::string& key) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  /// Drops least recent entries while `idle(value)` holds for the least recent one, so that
  /// entries no longer holding any state go away without waiting for the table to fill.
  template <typename Pred>
  void drop_idle(Pred idle) {
    while (!order_.empty() && idle(order_.front().second)) {
      index_.erase(order_.front().first);
      order_.pop_front();
    }
  }

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using entry = std::pair<std::string, V>;
  std::size_t capacity_;
  std::list<entry> order_;
  std::unordered_map<std::string, typename std::list<entry>::iterator> index_;
};

}  // namespace plexichat::runtime
