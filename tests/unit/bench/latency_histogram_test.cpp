#include "tools/plexichat-bench/latency_histogram.hpp"

#include <gtest/gtest.h>

namespace plexichat::bench {
namespace {

TEST(LatencyHistogram, EmptyAnswersZero) {
  latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExactNearestRank) {
  latency_histogram h;
  for (uint64_t v = 1; v <= 100; ++v) {
    h.record(v);
  }
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(99.9), 100u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, LargeValuesWithinOnePercent) {
  latency_histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) {
    h.record(v * 37);  // up to 3.7 s in microseconds
  }
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double exact = p / 100.0 * 100000 * 37;
    auto got = static_cast<double>(h.percentile(p));
    EXPECT_GE(got, exact * 0.999) << p;
    EXPECT_LE(got, exact * 1.01) << p;
  }
  EXPECT_EQ(h.percentile(100), 3700000u);
}

TEST(LatencyHistogram, NeverAnswersAboveTheMaximum) {
  latency_histogram h;
  h.record(1000001);
  EXPECT_EQ(h.percentile(50), 1000001u);
  h.record(uint64_t{1} << 62);
  EXPECT_EQ(h.percentile(100), uint64_t{1} << 62);
}

TEST(LatencyHistogram, MergeAddsCountsAndBounds) {
  latency_histogram a, b;
  for (uint64_t v = 1; v <= 50; ++v) {
    a.record(v);
  }
  for (uint64_t v = 51; v <= 100; ++v) {
    b.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.percentile(50), 50u);
  EXPECT_EQ(a.percentile(99), 99u);
  EXPECT_EQ(a.max(), 100u);
  EXPECT_EQ(a.min(), 1u);
}

}  // namespace
}  // namespace plexichat::bench
