#include "tools/plexichat-bench/send_schedule.hpp"

#include <gtest/gtest.h>

namespace plexichat::bench {
namespace {

TEST(SendSchedule, PhaseZeroSendsAtOnceThenOncePerInterval) {
  EXPECT_EQ(sends_due(0.0, 10, 0.0), 1u);
  EXPECT_EQ(sends_due(0.099, 10, 0.0), 1u);
  EXPECT_EQ(sends_due(0.1, 10, 0.0), 2u);
  EXPECT_EQ(sends_due(10.0, 10, 0.0), 101u);
}

TEST(SendSchedule, ALaterPhaseWaitsItsShareOfTheInterval) {
  // Sender 1 of 4 at 10/s: its sends are due at 25 ms, 125 ms, ...
  double phase = send_phase(1, 4);
  EXPECT_DOUBLE_EQ(phase, 0.25);
  EXPECT_EQ(sends_due(0.0, 10, phase), 0u);
  EXPECT_EQ(sends_due(0.024, 10, phase), 0u);
  EXPECT_EQ(sends_due(0.025, 10, phase), 1u);
  EXPECT_EQ(sends_due(0.124, 10, phase), 1u);
  EXPECT_EQ(sends_due(0.126, 10, phase), 2u);
}

TEST(SendSchedule, SendersSpreadEvenlyAndOweTheRateOverARun) {
  const std::size_t n = 1000;
  // Over any window of one interval, each sender owes exactly one send.
  uint64_t in_window = 0;
  for (std::size_t i = 0; i < n; ++i) {
    in_window += sends_due(0.35, 10, send_phase(i, n)) - sends_due(0.25, 10, send_phase(i, n));
  }
  EXPECT_EQ(in_window, n);
  // A tenth of the interval holds about a tenth of the senders' sends, not all or none.
  uint64_t in_tenth = 0;
  for (std::size_t i = 0; i < n; ++i) {
    in_tenth += sends_due(0.26, 10, send_phase(i, n)) - sends_due(0.25, 10, send_phase(i, n));
  }
  EXPECT_EQ(in_tenth, n / 10);
  EXPECT_DOUBLE_EQ(send_phase(5, 0), 0.0);
}

}  // namespace
}  // namespace plexichat::bench
