#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

struct pwquality_settings;

namespace plexichat::actors::directory {

/// The password rules of register and change password, checked by libpwquality (its
/// defaults plus cracklib's dictionary, Debian's cracklib-runtime) with a minimum length and
/// a minimum score (pwquality's 0..100).
///
/// check() is slow (it reads cracklib's dictionary): run it on the blocking pool, never on an
/// actor thread. Thread-safe: calls are serialised, since cracklib keeps static state.
class password_policy {
 public:
  /// `min_length` in characters (pwquality counts bytes and allows no fewer than 6; the net
  /// layer checks code points first); `min_score` 0..100.
  password_policy(std::size_t min_length, int min_score);
  ~password_policy();
  password_policy(const password_policy&) = delete;
  password_policy& operator=(const password_policy&) = delete;

  /// nullopt when `password` is acceptable for `username`; otherwise a message for a person
  /// saying what is wrong (pwquality's own words, or the score against the minimum). With
  /// `old_password`, a new password too similar to it is refused as well.
  std::optional<std::string> check(std::string_view password, std::string_view username,
                                   std::string_view old_password = {}) const;

 private:
  pwquality_settings* settings_ = nullptr;
  int min_score_ = 0;
  mutable std::mutex mutex_;
};

}  // namespace plexichat::actors::directory
