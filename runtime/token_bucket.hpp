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

/// A token bucket's level, for buckets whose rate and burst are the same for many and kept
/// elsewhere (one per WebSocket connection, limits from the config): each holds just this,
/// 16 bytes. Holds up to `burst` tokens, refilled at `rate` per second; each request takes
/// one. Not thread-safe.
class bucket_level {
 public:
  /// Full.
  bucket_level(double burst, steady_time now) : tokens_(burst), last_(now) {}

  /// Takes a token: nullopt when there was one, else how long until there is.
  std::optional<std::chrono::milliseconds> take(double rate, double burst, steady_time now);
  /// True when the bucket is full again at `now`, so forgetting it changes nothing.
  bool idle(double rate, double burst, steady_time now) const;

 private:
  double tokens_;
  steady_time last_;
};

/// A token bucket with its own rate and burst (see bucket_level). Not thread-safe (see
/// bucket_map).
class token_bucket {
 public:
  token_bucket(double rate, double burst, steady_time now)
      : rate_(rate), burst_(burst), level_(burst, now) {}

  std::optional<std::chrono::milliseconds> take(steady_time now) {
    return level_.take(rate_, burst_, now);
  }
  bool idle(steady_time now) const { return level_.idle(rate_, burst_, now); }

 private:
  double rate_;
  double burst_;
  bucket_level level_;
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
