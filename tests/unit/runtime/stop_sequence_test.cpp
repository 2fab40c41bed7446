#include "runtime/stop_sequence.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plexichat::runtime {
namespace {

TEST(StopSequence, RunsStopsInReverseOrderOfStart) {
  std::vector<std::string> stopped;
  stop_sequence stops;
  stops.push("storage", [&] { stopped.push_back("storage"); });
  stops.push("actors", [&] { stopped.push_back("actors"); });
  stops.push("listener", [&] { stopped.push_back("listener"); });
  stops.run();
  EXPECT_EQ(stopped, (std::vector<std::string>{"listener", "actors", "storage"}));
}

TEST(StopSequence, RunsEachStopOnceEvenWhenRunTwiceOrDestroyed) {
  int runs = 0;
  {
    stop_sequence stops;
    stops.push("one", [&] { ++runs; });
    stops.run();
    stops.run();
  }
  EXPECT_EQ(runs, 1);
}

TEST(StopSequence, DestructorRunsWhatIsLeft) {
  std::vector<int> stopped;
  {
    stop_sequence stops;
    stops.push("first", [&] { stopped.push_back(1); });
    stops.push("second", [&] { stopped.push_back(2); });
  }
  EXPECT_EQ(stopped, (std::vector<int>{2, 1}));
}

}  // namespace
}  // namespace plexichat::runtime
