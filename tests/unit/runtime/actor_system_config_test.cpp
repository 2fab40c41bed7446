#include "runtime/actor_system_config.hpp"

#include <sched.h>

#include <chrono>

#include <gtest/gtest.h>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

namespace plexichat::runtime {
namespace {

/// Answers any int with the scheduling policy of the thread that runs it. (Spawned with an
/// argument: CAF 0.17 binds a null tuple when there is none, which UBSan reports.)
caf::behavior policy_reporter(caf::event_based_actor*, int) {
  return {[](int) { return sched_getscheduler(0); }};
}

int policy_of(caf::scoped_actor& self, const caf::actor& a) {
  int policy = -1;
  self->request(a, std::chrono::seconds{10}, 0)
      .receive([&](int p) { policy = p; }, [](caf::error&) {});
  return policy;
}

TEST(node_actor_config, actors_run_under_batch_scheduling_and_other_threads_keep_theirs) {
  node_actor_config cfg{1};
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto scheduled = sys.spawn(policy_reporter, 0);
  auto detached = sys.spawn<caf::detached>(policy_reporter, 0);
  EXPECT_EQ(policy_of(self, scheduled), SCHED_BATCH);
  EXPECT_EQ(policy_of(self, detached), SCHED_BATCH);
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER) << "only the threads CAF starts";
  self->send_exit(scheduled, caf::exit_reason::user_shutdown);
  self->send_exit(detached, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace plexichat::runtime
