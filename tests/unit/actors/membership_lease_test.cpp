// The majority lease (membership.hpp): echoed own send times, renewed by fresh echoes only.
#include <gtest/gtest.h>

#include "actors/cluster/membership.hpp"

namespace plexichat::actors::cluster {
namespace {

using namespace std::chrono_literals;
using time_point = membership::time_point;

const time_point t0{};
const detector_timing timing{2000ms, 6000ms, 2000ms, 1500ms};

member_info info(const std::string& name, uint64_t incarnation = 1,
                 member_state state = member_state::up) {
  return {name, name + ":7000", name + ":8080", incarnation, state};
}

/// A membership of `self` that knows `others`, all heard from at t0.
membership knowing(const std::string& self, std::initializer_list<const char*> others,
                   uint64_t incarnation = 1) {
  membership m{info(self, incarnation), timing, t0};
  std::vector<member_info> view;
  for (const char* o : others) {
    view.push_back(info(o));
  }
  m.merge(view, t0);
  return m;
}

/// `peer` receives a heartbeat `from` sent with `stamp` at `at` and echoes it to `from` at
/// once, as the cluster actor does; false when it does not echo.
bool exchange(membership& from, membership& peer, lease_stamp stamp, time_point at) {
  peer.merge(from.gossip(), at);
  peer.heard_from(from.self().name, at);
  auto echo = peer.echo_for(from.self().name, stamp);
  if (echo) {
    from.echoed(peer.self().name, *echo);
  }
  return echo.has_value();
}

TEST(membership_lease, a_node_alone_always_holds_it) {
  membership m{info("a"), timing, t0};
  EXPECT_TRUE(m.holds_lease(t0));
  EXPECT_TRUE(m.holds_lease(t0 + 1000h));
}

TEST(membership_lease, none_before_a_majority_echoed) {
  auto a = knowing("a", {"b", "c"});
  EXPECT_TRUE(a.has_majority());  // heard of them: reachable
  EXPECT_FALSE(a.holds_lease(t0));
  EXPECT_EQ(a.lease_until(), time_point::min());
}

TEST(membership_lease, fresh_echoes_renew_it_and_it_ends_lease_after_the_echoed_send) {
  auto a = knowing("a", {"b", "c"});
  auto b = knowing("b", {"a", "c"});
  ASSERT_TRUE(exchange(a, b, a.stamp(t0 + 1s), t0 + 1s + 10ms));
  // Counted from the send time, not from when the echo came back.
  EXPECT_EQ(a.lease_until(), t0 + 2500ms);
  EXPECT_TRUE(a.holds_lease(t0 + 2499ms));
  EXPECT_FALSE(a.holds_lease(t0 + 2500ms));
  // A fresh heartbeat, echoed, renews it.
  ASSERT_TRUE(exchange(a, b, a.stamp(t0 + 2s), t0 + 2s + 10ms));
  EXPECT_TRUE(a.holds_lease(t0 + 3s));
  // An older echo arriving late does not take it back.
  a.echoed("b", a.stamp(t0 + 1s));
  EXPECT_EQ(a.lease_until(), t0 + 3500ms);
}

TEST(membership_lease, old_stamps_replayed_after_a_pause_do_not_renew_it) {
  // a of five, with b, c, d and e; heartbeats every 500 ms, echoed at once.
  auto a = knowing("a", {"b", "c", "d", "e"});
  auto c = knowing("c", {"a", "b", "d", "e"});
  auto d = knowing("d", {"a", "b", "c", "e"});
  std::vector<lease_stamp> unsent;
  for (auto t = 500ms; t <= 10s; t += 500ms) {
    exchange(a, c, a.stamp(t0 + t), t0 + t);
    exchange(a, d, a.stamp(t0 + t), t0 + t);
    a.tick(t0 + t);
  }
  EXPECT_TRUE(a.holds_lease(t0 + 10s));
  // Frozen from 10 s to 30 s. Its last heartbeats, and the peers' heartbeats and echoes of
  // them, waited in its sockets; handled after SIGCONT, before its first tick, they make
  // every peer look just heard from.
  auto resumed = t0 + 30s;
  for (const char* p : {"b", "c", "d", "e"}) {
    a.heard_from(p, resumed);
  }
  a.echoed("c", a.stamp(t0 + 10s));
  a.echoed("d", a.stamp(t0 + 10s));
  EXPECT_TRUE(a.has_majority());
  EXPECT_FALSE(a.holds_lease(resumed));
}

TEST(membership_lease, a_peer_that_marked_us_down_does_not_echo) {
  // c, with d and e, marks a down after down_after of silence.
  auto a = knowing("a", {"b", "c", "d", "e"});
  auto c = knowing("c", {"a", "b", "d", "e"});
  for (auto t = 1s; t <= 7s; t += 1s) {
    c.heard_from("d", t0 + t);
    c.heard_from("e", t0 + t);
    c.tick(t0 + t);
  }
  ASSERT_EQ(c.state_of("a"), member_state::down);
  // a, resumed, sends a fresh heartbeat under the incarnation it was marked down at.
  EXPECT_FALSE(exchange(a, c, a.stamp(t0 + 8s), t0 + 8s));
  EXPECT_FALSE(a.holds_lease(t0 + 8s));
  // Its gossip tells a it was marked down; it rejoins under a new incarnation, which c
  // echoes again, and only echoes of that incarnation count.
  a.merge(c.gossip(), t0 + 8s);
  ASSERT_TRUE(a.rejoined());
  ASSERT_EQ(a.self().incarnation, 2u);
  auto d = knowing("d", {"a", "b", "c", "e"});
  EXPECT_TRUE(exchange(a, c, a.stamp(t0 + 9s), t0 + 9s));
  EXPECT_FALSE(a.holds_lease(t0 + 9s));  // a and c: two of the four not down
  EXPECT_TRUE(exchange(a, d, a.stamp(t0 + 9s), t0 + 9s));
  EXPECT_TRUE(a.holds_lease(t0 + 9s));
}

TEST(membership_lease, a_suspecting_peer_or_one_that_knows_another_incarnation_does_not_echo) {
  auto b = knowing("b", {"a", "c"});
  b.heard_from("c", t0 + 3s);
  b.tick(t0 + 3s);
  ASSERT_EQ(b.state_of("a"), member_state::suspect);
  lease_stamp from_a{0, 1};
  EXPECT_FALSE(b.echo_for("a", from_a).has_value());
  b.heard_from("a", t0 + 3s);
  EXPECT_TRUE(b.echo_for("a", from_a).has_value());
  EXPECT_FALSE(b.echo_for("a", lease_stamp{0, 7}).has_value());
  EXPECT_FALSE(b.echo_for("a", lease_stamp{}).has_value());
  EXPECT_FALSE(b.echo_for("z", from_a).has_value());
}

TEST(membership_lease, needs_a_strict_majority_of_the_members_not_down) {
  auto a = knowing("a", {"b", "c", "d", "e"});
  a.echoed("b", a.stamp(t0 + 1s));
  EXPECT_FALSE(a.holds_lease(t0 + 1s));  // a and b: two of five
  a.echoed("c", a.stamp(t0 + 2s));
  EXPECT_TRUE(a.holds_lease(t0 + 1s));
  // The second latest echo bounds it: b's, sent at 1 s.
  EXPECT_EQ(a.lease_until(), t0 + 2500ms);
  // d and e marked down: a, b and c are the members; two of three echo.
  a.merge({info("d", 1, member_state::down), info("e", 1, member_state::down)}, t0 + 2s);
  a.echoed("b", a.stamp(t0 + 500ms));       // older: kept at 1 s
  EXPECT_EQ(a.lease_until(), t0 + 3500ms);  // one echo besides a: c's, at 2 s
  // A down member's echo does not count.
  auto x = knowing("x", {"y", "z"});
  x.echoed("y", x.stamp(t0));
  EXPECT_TRUE(x.holds_lease(t0));
  x.merge({info("y", 1, member_state::down)}, t0);
  EXPECT_FALSE(x.holds_lease(t0));  // x and z are the members: z must echo
}

TEST(membership_lease, echoes_of_an_earlier_incarnation_do_not_count) {
  auto a = knowing("a", {"b", "c"});
  a.echoed("b", a.stamp(t0 + 1s));
  ASSERT_TRUE(a.holds_lease(t0 + 1s));
  ASSERT_TRUE(a.set_draining(true));  // a new incarnation
  EXPECT_FALSE(a.holds_lease(t0 + 1s));
  a.echoed("b", lease_stamp{(t0 + 2s).time_since_epoch().count(), 1});
  EXPECT_FALSE(a.holds_lease(t0 + 2s));
  a.echoed("b", a.stamp(t0 + 2s));
  EXPECT_TRUE(a.holds_lease(t0 + 2s));
}

TEST(membership_lease, a_peers_new_incarnation_forgets_what_its_last_life_echoed) {
  auto a = knowing("a", {"b", "c"});
  a.echoed("b", a.stamp(t0 + 1s));
  ASSERT_TRUE(a.holds_lease(t0 + 1s));
  a.merge({info("b", 2)}, t0 + 1s);
  EXPECT_FALSE(a.holds_lease(t0 + 1s));
}

}  // namespace
}  // namespace plexichat::actors::cluster
