#include "actors/session/session_clock.hpp"

#include <algorithm>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/session/tick_schedule.hpp"

namespace plexichat::actors::session {

namespace {

constexpr std::size_t turns = 8;

struct clock_state {
  // Weak references: a stopped session's memory is held only until the clock next looks.
  tick_schedule<caf::actor_addr, turns> schedule;
  bool deadline_timer = false;  // a (login_atom, tick_atom) to self is pending
  static inline const char* name = "session_clock";
};

using clock_actor = caf::stateful_actor<clock_state>;

/// Sends `session` a tick; false when it has stopped.
bool tick(clock_actor* self, const caf::actor_addr& session) {
  auto handle = caf::actor_cast<caf::actor>(session);
  if (!handle) {
    return false;
  }
  self->send(handle, tick_atom::value);
  return true;
}

/// One pending timer for every auth deadline: at the earliest.
void arm_deadline_timer(clock_actor* self) {
  auto& st = self->state;
  auto next = st.schedule.next_deadline();
  if (!next || st.deadline_timer) {
    return;
  }
  using std::chrono::milliseconds;
  auto after = std::chrono::ceil<milliseconds>(*next - std::chrono::steady_clock::now());
  self->delayed_send(self, std::max(after, milliseconds{1}), login_atom::value, tick_atom::value);
  st.deadline_timer = true;
}

caf::behavior clock_behavior(clock_actor* self, node_context* ctx,
                             std::chrono::milliseconds interval,
                             std::chrono::milliseconds auth_timeout) {
  const auto every = std::max(interval / static_cast<int>(turns), std::chrono::milliseconds{1});
  self->delayed_send(self, every, tick_atom::value);
  caf::behavior handlers{
      // A session opened: tick it at its auth deadline.
      [self, auth_timeout](login_atom) {
        self->state.schedule.await(caf::actor_cast<caf::actor_addr>(self->current_sender()),
                                   std::chrono::steady_clock::now() + auth_timeout);
        arm_deadline_timer(self);
      },
      [self](login_atom, tick_atom) {
        self->state.deadline_timer = false;
        self->state.schedule.due(std::chrono::steady_clock::now(),
                                 [self](const caf::actor_addr& s) { tick(self, s); });
        arm_deadline_timer(self);
      },
      // A session is ready: tick it every interval from now on.
      [self](join_atom) {
        self->state.schedule.join(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      },
      [self, every](tick_atom) {
        self->state.schedule.turn([self](const caf::actor_addr& s) { return tick(self, s); });
        self->delayed_send(self, every, tick_atom::value);
      },
  };
  return probed(self, ctx, "session_clock", std::move(handlers));
}

}  // namespace

caf::actor spawn_session_clock(caf::actor_system& sys, node_context* ctx,
                               std::chrono::milliseconds auth_timeout,
                               std::chrono::milliseconds interval) {
  return sys.spawn(clock_behavior, ctx, interval, auth_timeout);
}

}  // namespace plexichat::actors::session
