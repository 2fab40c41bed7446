#include "runtime/actor_system_config.hpp"

#include <pthread.h>
#include <sched.h>

#include <caf/thread_hook.hpp>

namespace plexichat::runtime {

namespace {

/// Runs every thread CAF starts (the scheduler's workers, its clock, detached actors, the
/// middleman's multiplexer between nodes) under SCHED_BATCH: a worker woken by an I/O
/// thread's message then waits for that thread to block or use up its time slice instead of
/// preempting it at once, often while that thread still holds the scheduler's queue lock. On
/// a busy core the I/O thread hands over what it has read before the worker runs; on an idle
/// core nothing changes. In the 100-subscriber fan-out on one core this halved the node's
/// context switches and cut its CPU per delivered message by about a tenth
/// (tools/plexichat-bench/README.md). The I/O threads and the storage writer keep the default
/// policy. Needs no privilege; where the system refuses it anyway, the thread runs as before.
class batch_scheduling : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override {
    sched_param p{};
    p.sched_priority = 0;
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &p);
  }
  void thread_terminates() override {}
};

}  // namespace

node_actor_config::node_actor_config(unsigned scheduler_threads) {
  set("scheduler.max-threads", scheduler_threads);
  // One shared queue that idle workers wait on, instead of work stealing: CAF's stealing
  // workers poll and sleep 50 us at a time while idle, which on a node kept busy by many
  // small messages from the I/O threads cost a third more CPU per delivered message
  // (plexichat-bench fanout; tools/plexichat-bench/README.md).
  set("scheduler.policy", caf::atom("sharing"));
  set("logger.console", caf::atom("none"));
  set("logger.file-verbosity", caf::atom("quiet"));
  add_thread_hook<batch_scheduling>();
}

}  // namespace plexichat::runtime
