#include "actors/session/tick_schedule.hpp"

#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace plexichat::actors::session {
namespace {

using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

TEST(TickSchedule, OneCycleOfTurnsTicksEveryJoinedSessionOnce) {
  tick_schedule<int, 4> s;
  for (int i = 0; i < 10; ++i) {
    s.join(i);
  }
  std::vector<int> ticked;
  std::vector<std::size_t> per_turn;
  for (int t = 0; t < 4; ++t) {
    auto before = ticked.size();
    s.turn([&](int h) {
      ticked.push_back(h);
      return true;
    });
    per_turn.push_back(ticked.size() - before);
  }
  EXPECT_EQ(std::set<int>(ticked.begin(), ticked.end()).size(), 10u);
  EXPECT_EQ(ticked.size(), 10u);
  // Dealt round robin: the turns differ by at most one session.
  EXPECT_EQ(per_turn, (std::vector<std::size_t>{3, 3, 2, 2}));
}

TEST(TickSchedule, ATurnForgetsTheSessionsThatStopped) {
  tick_schedule<int, 2> s;
  for (int i = 0; i < 6; ++i) {
    s.join(i);  // group 0: 0, 2, 4; group 1: 1, 3, 5
  }
  s.turn([](int h) { return h != 2; });
  EXPECT_EQ(s.joined(), 5u);
  std::vector<int> next_cycle;
  for (int t = 0; t < 2; ++t) {
    s.turn([&](int h) {
      next_cycle.push_back(h);
      return true;
    });
  }
  EXPECT_EQ(next_cycle, (std::vector<int>{1, 3, 5, 0, 4}));
}

TEST(TickSchedule, DeadlinesFireOnceInOrderWhenDue) {
  tick_schedule<int> s;
  time_point t0{};
  EXPECT_FALSE(s.next_deadline());
  s.await(1, t0 + milliseconds{100});
  s.await(2, t0 + milliseconds{100});
  s.await(3, t0 + milliseconds{250});
  EXPECT_EQ(s.next_deadline(), t0 + milliseconds{100});
  std::vector<int> ticked;
  auto record = [&](int h) { ticked.push_back(h); };
  s.due(t0 + milliseconds{99}, record);
  EXPECT_TRUE(ticked.empty());
  s.due(t0 + milliseconds{100}, record);
  EXPECT_EQ(ticked, (std::vector<int>{1, 2}));
  EXPECT_EQ(s.next_deadline(), t0 + milliseconds{250});
  s.due(t0 + milliseconds{1000}, record);
  s.due(t0 + milliseconds{2000}, record);
  EXPECT_EQ(ticked, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(s.next_deadline());
  EXPECT_EQ(s.joined(), 0u);  // a deadline is not a join
}

}  // namespace
}  // namespace plexichat::actors::session
