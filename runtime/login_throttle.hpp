#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/lru_table.hpp"
#include "runtime/token_bucket.hpp"

namespace plexichat::runtime {

/// The rules of one login_throttle.
struct login_throttle_rules {
  unsigned free_failures = 5;                  ///< failures before any delay
  unsigned lock_after = 10;                    ///< failures that lock the key
  std::chrono::milliseconds max_delay{60000};  ///< cap of the growing delay
  std::chrono::milliseconds lock{900000};      ///< how long a lock lasts
  std::chrono::milliseconds window{900000};    ///< failures are forgotten after this quiet time
  std::size_t capacity = 100000;               ///< keys tracked at most
};

/// Slows down password guessing for one kind of key (a username, or a client address).
/// After `free_failures` failures each further attempt waits 2^k seconds (k = 0, 1, ...,
/// capped at max_delay) after the previous one; `lock_after` failures lock the key for
/// `lock`, after which it starts afresh. An attempt counts from its admission, so parallel
/// guesses cannot all slip through before their failures are known. Thread-safe (one mutex).
class login_throttle {
 public:
  explicit login_throttle(login_throttle_rules rules,
                          steady_clock_fn clock = std::chrono::steady_clock::now);

  /// Admits one attempt for `key` (nullopt), or says how long to wait before the next.
  /// Every admitted attempt must be followed by exactly one of the three outcomes below.
  std::optional<std::chrono::milliseconds> admit(const std::string& key);
  /// The attempt failed (wrong password or no such user); true when this engaged a lock.
  bool failed(const std::string& key);
  /// The attempt succeeded: the key starts afresh.
  void succeeded(const std::string& key);
  /// The attempt was neither (say, a malformed request): it no longer counts.
  void abandoned(const std::string& key);

  std::size_t size() const;

 private:
  struct entry {
    unsigned failures = 0;
    unsigned pending = 0;
    steady_time last_attempt;
    std::optional<steady_time> locked_until;
  };

  std::optional<std::chrono::milliseconds> wait_for(const entry& e, steady_time now) const;
  bool forgotten(const entry& e, steady_time now) const;

  login_throttle_rules rules_;
  steady_clock_fn clock_;
  mutable std::mutex mutex_;
  lru_table<entry> entries_;
};

}  // namespace plexichat::runtime
