#include "actors/cluster/membership.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::cluster {
namespace {

using namespace std::chrono_literals;
using time_point = membership::time_point;

const time_point t0{};

member_info info(const std::string& name, uint64_t incarnation = 1,
                 member_state state = member_state::up) {
  return {name, name + ":7000", name + ":8080", incarnation, state};
}

membership node(const std::string& name) {
  return membership{info(name), detector_timing{2000ms, 6000ms}, t0};
}

/// A membership of `self` that knows `others`, all heard from at t0.
membership knowing(const std::string& self, std::initializer_list<const char*> others) {
  auto m = node(self);
  std::vector<member_info> view;
  for (const char* o : others) {
    view.push_back(info(o));
  }
  m.merge(view, t0);
  return m;
}

TEST(membership, gossip_introduces_members_once) {
  auto m = node("a");
  auto changes = m.merge({info("b"), info("c"), info("a")}, t0);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].joined);
  EXPECT_EQ(m.up_members(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(m.merge({info("b"), info("c")}, t0).empty());
}

TEST(membership, silence_makes_suspect_then_down_and_contact_clears_suspicion) {
  auto m = knowing("a", {"b", "c"});
  EXPECT_TRUE(m.tick(t0 + 1s).empty());
  m.heard_from("c", t0 + 3s);
  auto changes = m.tick(t0 + 3s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].name, "b");
  EXPECT_EQ(changes[0].to, member_state::suspect);
  // Contact clears suspicion before down_after.
  auto back = m.heard_from("b", t0 + 4s);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].to, member_state::up);
  // Then silence again for down_after: down, with a majority (a and c of three).
  m.heard_from("c", t0 + 10s);
  m.tick(t0 + 10s);
  EXPECT_EQ(m.state_of("b"), member_state::down);
  EXPECT_EQ(m.state_of("c"), member_state::up);
  EXPECT_EQ(m.up_members(), (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(m.has_majority());
  // Hearing from a down member at the same incarnation does not bring it back.
  m.heard_from("b", t0 + 11s);
  EXPECT_EQ(m.state_of("b"), member_state::down);
}

TEST(membership, a_minority_suspects_but_never_marks_down) {
  // a and b of five are cut off from c, d and e.
  auto m = knowing("a", {"b", "c", "d", "e"});
  for (auto t = 1s; t <= 30s; t += 1s) {
    m.heard_from("b", t0 + t);
    m.tick(t0 + t);
  }
  EXPECT_FALSE(m.has_majority());
  for (const char* n : {"c", "d", "e"}) {
    EXPECT_EQ(m.state_of(n), member_state::suspect) << n;
  }
}

TEST(membership, the_majority_marks_a_frozen_minority_down_and_goes_on) {
  auto m = knowing("c", {"a", "b", "d", "e"});
  for (auto t = 1s; t <= 10s; t += 1s) {
    m.heard_from("d", t0 + t);
    m.heard_from("e", t0 + t);
    m.tick(t0 + t);
  }
  EXPECT_EQ(m.state_of("a"), member_state::down);
  EXPECT_EQ(m.state_of("b"), member_state::down);
  // Of the three members left, all three are reachable.
  EXPECT_TRUE(m.has_majority());
  // Losing one more still leaves two of three.
  for (auto t = 11s; t <= 20s; t += 1s) {
    m.heard_from("d", t0 + t);
    m.tick(t0 + t);
  }
  EXPECT_EQ(m.state_of("e"), member_state::down);
  EXPECT_TRUE(m.has_majority());
}

TEST(membership, a_node_that_stood_still_marks_no_one_down_and_claims_no_majority) {
  // c of five ticks every second, then stands still (SIGSTOP) for 10 s; meanwhile the others
  // went on. Its clock says nobody was heard for 10 s, but it was c that was silent.
  membership m{info("c"), detector_timing{2000ms, 6000ms, 2000ms}, t0};
  m.merge({info("a"), info("b"), info("d"), info("e")}, t0);
  for (auto t = 1s; t <= 3s; t += 1s) {
    for (const char* n : {"a", "b", "d", "e"}) {
      m.heard_from(n, t0 + t);
    }
    EXPECT_TRUE(m.tick(t0 + t).empty());
  }
  // Resumed: two stale heartbeats are read before the first tick.
  m.heard_from("a", t0 + 13s);
  m.heard_from("b", t0 + 13s);
  auto changes = m.tick(t0 + 13s);
  EXPECT_EQ(changes.size(), 4u);
  for (const char* n : {"a", "b", "d", "e"}) {
    EXPECT_EQ(m.state_of(n), member_state::suspect) << n << ": suspect, not down";
  }
  EXPECT_FALSE(m.has_majority()) << "no writes until it hears from the others again";
  m.heard_from("a", t0 + 13500ms);
  m.heard_from("d", t0 + 13500ms);
  EXPECT_TRUE(m.tick(t0 + 14s).empty());
  EXPECT_TRUE(m.has_majority());
  // A member that stays silent is marked down after down_after of silence c observed.
  for (auto t = 15s; t <= 18s; t += 1s) {
    m.heard_from("a", t0 + t);
    m.heard_from("d", t0 + t);
    m.tick(t0 + t);
  }
  EXPECT_EQ(m.state_of("e"), member_state::suspect) << "5 s of observed silence";
  for (auto t = 19s; t <= 20s; t += 1s) {
    m.heard_from("a", t0 + t);
    m.heard_from("d", t0 + t);
    m.tick(t0 + t);
  }
  EXPECT_EQ(m.state_of("e"), member_state::down);
}

TEST(membership, without_stood_still_after_sparse_ticks_are_plain_silence) {
  auto m = knowing("a", {"b", "c"});
  m.heard_from("c", t0 + 10s);
  m.tick(t0 + 10s);
  EXPECT_EQ(m.state_of("b"), member_state::down);
}

TEST(membership, down_spreads_by_gossip_and_wins_at_the_same_incarnation) {
  auto m = knowing("a", {"b", "c"});
  auto changes = m.merge({info("b", 1, member_state::down)}, t0 + 1s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].to, member_state::down);
  // An older up does not undo it; a newer incarnation (b restarted) does.
  EXPECT_TRUE(m.merge({info("b", 1, member_state::up)}, t0 + 2s).empty());
  auto rejoin = m.merge({info("b", 2, member_state::up)}, t0 + 3s);
  ASSERT_EQ(rejoin.size(), 1u);
  EXPECT_EQ(rejoin[0].to, member_state::up);
  // The new incarnation gets a full detector period from when it was learnt.
  m.heard_from("c", t0 + 4s);
  m.tick(t0 + 4s);
  EXPECT_EQ(m.state_of("b"), member_state::up);
}

TEST(membership, a_node_told_it_is_down_rejoins_under_a_new_incarnation) {
  auto m = knowing("a", {"b", "c"});
  EXPECT_FALSE(m.rejoined());
  m.merge({info("a", 1, member_state::up)}, t0);  // its own state, as others see it
  EXPECT_FALSE(m.rejoined());
  m.merge({info("a", 1, member_state::down)}, t0 + 1s);
  EXPECT_TRUE(m.rejoined());
  EXPECT_FALSE(m.rejoined()) << "said once";
  EXPECT_EQ(m.self().incarnation, 2u);
  EXPECT_EQ(m.self().state, member_state::up);
  // What it gossips now overrides the down at incarnation 1 on every other node.
  auto other = knowing("b", {"a", "c"});
  other.merge({info("a", 1, member_state::down)}, t0 + 1s);
  other.merge(m.gossip(), t0 + 2s);
  EXPECT_EQ(other.state_of("a"), member_state::up);
}

TEST(membership, gossip_never_carries_local_suspicion) {
  auto m = knowing("a", {"b", "c"});
  m.heard_from("c", t0 + 3s);
  m.tick(t0 + 3s);
  ASSERT_EQ(m.state_of("b"), member_state::suspect);
  for (const auto& g : m.gossip()) {
    EXPECT_NE(g.state, member_state::suspect) << g.name;
  }
  auto view = m.view();
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[1].name, "b");
  EXPECT_EQ(view[1].state, member_state::suspect);
}

TEST(membership, a_lone_node_has_a_majority_of_one) {
  auto m = node("a");
  EXPECT_TRUE(m.has_majority());
  EXPECT_TRUE(m.tick(t0 + 1h).empty());
}

TEST(membership, two_nodes_need_each_other) {
  auto m = knowing("a", {"b"});
  m.tick(t0 + 3s);
  EXPECT_FALSE(m.has_majority());
  m.tick(t0 + 60s);
  EXPECT_EQ(m.state_of("b"), member_state::suspect) << "no majority: never down";
}

TEST(membership, a_restarted_node_needs_the_members_it_remembers_for_a_majority) {
  auto m = node("a");
  m.remember({info("b"), info("c"), info("a")}, t0);
  EXPECT_FALSE(m.has_majority()) << "alone of the three it knew";
  EXPECT_EQ(m.state_of("b"), member_state::suspect);
  EXPECT_TRUE(m.tick(t0 + 10s).empty() || !m.has_majority());
  EXPECT_EQ(m.state_of("b"), member_state::suspect) << "no majority: never marked down";
  m.heard_from("b", t0 + 10s);
  EXPECT_TRUE(m.has_majority());
  EXPECT_EQ(m.up_members(), (std::vector<std::string>{"a", "b"}));
}

TEST(membership, remembered_members_down_or_known_already_are_left_alone) {
  auto m = knowing("a", {"b"});
  m.remember({info("b", 7), info("c", 1, member_state::down)}, t0);
  EXPECT_EQ(m.state_of("b"), member_state::up) << "already known and heard from";
  EXPECT_EQ(m.state_of("c"), std::nullopt);
  EXPECT_TRUE(m.has_majority());
}

TEST(membership, the_member_list_survives_encoding) {
  std::vector<member_info> members{info("a", 5), info("b", 9, member_state::down)};
  EXPECT_EQ(decode_members(encode_members(members)), members);
  EXPECT_TRUE(decode_members("not json").empty());
  EXPECT_TRUE(decode_members(R"({"name":"a"})").empty());
  EXPECT_EQ(decode_members(R"([{"name":"a"},{"nom":"b"},7])").size(), 1u);
}

}  // namespace
}  // namespace plexichat::actors::cluster
