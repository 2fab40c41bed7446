#include "runtime/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace plexichat::runtime {

std::optional<std::chrono::milliseconds> bucket_level::take(double rate, double burst,
                                                            steady_time now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst, tokens_ + elapsed * rate);
    last_ = now;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::nullopt;
  }
  const double seconds = (1.0 - tokens_) / rate;
  return std::chrono::milliseconds{static_cast<long>(std::ceil(seconds * 1000.0))};
}

bool bucket_level::idle(double rate, double burst, steady_time now) const {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return tokens_ + std::max(0.0, elapsed) * rate >= burst;
}

bucket_map::bucket_map(double rate, double burst, std::size_t capacity, steady_clock_fn clock)
    : rate_(rate), burst_(burst), clock_(std::move(clock)), buckets_(capacity) {}

std::optional<std::chrono::milliseconds> bucket_map::take(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock{mutex_};
  buckets_.drop_idle([now](const token_bucket& b) { return b.idle(now); });
  return buckets_.get_or_insert(key, token_bucket{rate_, burst_, now}).take(now);
}

std::size_t bucket_map::size() const {
  std::lock_guard lock{mutex_};
  return buckets_.size();
}

long retry_after_seconds(std::chrono::milliseconds wait) {
  return std::max<long>(1, static_cast<long>((wait.count() + 999) / 1000));
}

}  // namespace plexichat::runtime
