#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/lru_table.hpp"

namespace plexichat::runtime {

/// The clock every limiter reads; tests pass one they step by hand.
using steady_time = std::chrono::steady_clock::time_point;
using steady_clock_fn = std::function<steady_time()>;

/// A token bucket: holds up to `burst` tokens, refilled at `rate` per second; each request
/// takes one. Not thread-safe (see bucket_map).
class token_bucket {
 public:
  token_bucket(double rate, double burst, steady_time now)
      : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

  /// Takes a token: nullopt when there was one, else how long until there is.
  std::optional<std::chrono::milliseconds> take(steady_time now);
  /// True when the bucket is full again at `now`, so forgetting it changes nothing.
  bool idle(steady_time now) const;

 private:
  void refill(steady_time now);

  double rate_;
  double burst_;
  double tokens_;
  steady_time last_;
};

/// One token bucket per key (client address, user id), at most `capacity` of them: a full
/// bucket is the same as none, so idle buckets are dropped first, and when every bucket is
/// busy the least recently used one goes. Thread-safe (one mutex); any I/O or actor thread
/// calls take().
class bucket_map {
 public:
  bucket_map(double rate, double burst, std::size_t capacity,
             steady_clock_fn clock = std::chrono::steady_clock::now);

  /// Takes a token from `key`'s bucket: nullopt when allowed, else the wait until a token.
  std::optional<std::chrono::milliseconds> take(const std::string& key);
  std::size_t size() const;

 private:
  double rate_;
  double burst_;
  steady_clock_fn clock_;
  mutable std::mutex mutex_;
  lru_table<token_bucket> buckets_;
};

/// Whole seconds to put in Retry-After for a wait: rounded up, at least 1.
long retry_after_seconds(std::chrono::milliseconds wait);

}  // namespace plexichat::runtime
