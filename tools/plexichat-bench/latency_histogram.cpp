#include "tools/plexichat-bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace plexichat::bench {
namespace {

constexpr unsigned sub_bits = 7;                           // 128 buckets per power of two
constexpr uint64_t exact_below = uint64_t{2} << sub_bits;  // 256: one bucket per value
constexpr size_t bucket_count = exact_below + (64 - sub_bits) * (uint64_t{1} << sub_bits);

}  // namespace

latency_histogram::latency_histogram() : buckets_(bucket_count, 0) {}

size_t latency_histogram::bucket_of(uint64_t v) {
  if (v < exact_below) {
    return static_cast<size_t>(v);
  }
  unsigned msb = 63 - static_cast<unsigned>(std::countl_zero(v));
  unsigned shift = msb - sub_bits;  // >= 1 here
  uint64_t sub = (v >> shift) - (uint64_t{1} << sub_bits);
  return static_cast<size_t>(exact_below + (shift - 1) * (uint64_t{1} << sub_bits) + sub);
}

uint64_t latency_histogram::upper_bound_of(size_t bucket) {
  if (bucket < exact_below) {
    return bucket;
  }
  size_t rest = bucket - exact_below;
  unsigned shift = static_cast<unsigned>(rest >> sub_bits) + 1;
  uint64_t sub = (rest & ((uint64_t{1} << sub_bits) - 1)) + (uint64_t{1} << sub_bits);
  return ((sub + 1) << shift) - 1;
}

void latency_histogram::record(uint64_t micros) {
  ++buckets_[bucket_of(micros)];
  min_ = count_ ? std::min(min_, micros) : micros;
  max_ = std::max(max_, micros);
  ++count_;
  sum_ += micros;
}

void latency_histogram::merge(const latency_histogram& other) {
  if (!other.count_) {
    return;
  }
  for (size_t i = 0; i < buckets_.size(); ++i) {
    buckets_[i] += other.buckets_[i];
  }
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

double latency_histogram::mean() const {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

uint64_t latency_histogram::percentile(double p) const {
  if (!count_) {
    return 0;
  }
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(upper_bound_of(i), max_);
    }
  }
  return max_;
}

}  // namespace plexichat::bench
