#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace plexichat::bench {

/// Latencies in microseconds, in log-linear buckets: exact below 256 us, then 128 buckets
/// per power of two (under 1% error), so recording is one increment and memory is fixed.
/// Percentiles are nearest-rank, answered as the bucket's upper bound (never above the
/// largest value recorded). Owned by one thread.
class latency_histogram {
 public:
  latency_histogram();

  void record(uint64_t micros);
  void merge(const latency_histogram& other);

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] uint64_t max() const { return max_; }
  [[nodiscard]] uint64_t min() const { return count_ ? min_ : 0; }
  [[nodiscard]] double mean() const;
  /// p in [0, 100]; 0 when empty.
  [[nodiscard]] uint64_t percentile(double p) const;

 private:
  static size_t bucket_of(uint64_t v);
  static uint64_t upper_bound_of(size_t bucket);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace plexichat::bench
