#include "actors/actor_probe.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/atoms.hpp"
#include "runtime/actor_system_config.hpp"

namespace plexichat::actors {
namespace {

constexpr std::chrono::seconds kDeadline{30};
using wait_atom = caf::atom_constant<caf::atom("wait")>;
using add_atom = caf::atom_constant<caf::atom("add")>;

caf::behavior echo(caf::event_based_actor* self, node_context* ctx, std::shared_future<void> gate) {
  caf::behavior handlers{
      [](get_atom, int x) { return x + 1; },
      // Holds the actor (a test only: never block a real actor) so that messages queue up.
      [gate](wait_atom) { gate.wait(); },
      [self, ctx](info_atom) { return ctx->actor_table->find(self->id())->mailbox(); },
      [self](stop_atom) { self->quit(); },
  };
  return probed(self, ctx, "echo", std::move(handlers), "e1");
}

std::shared_future<void> open_gate() {
  std::promise<void> p;
  p.set_value();
  return p.get_future().share();
}

/// Waits (with a deadline) until `cond` holds.
template <class Cond>
bool eventually(Cond cond) {
  auto until = std::chrono::steady_clock::now() + kDeadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) {
      return false;
    }
    std::this_thread::yield();
  }
  return true;
}

TEST(actor_probe, an_actor_counts_its_messages_and_leaves_the_table_when_it_stops) {
  runtime::actor_table table;
  node_context ctx;
  ctx.actor_table = &table;
  runtime::node_actor_config cfg{2};
  caf::actor_system sys{cfg};
  auto a = sys.spawn(echo, &ctx, open_gate());
  caf::scoped_actor self{sys};
  for (int i = 0; i < 5; ++i) {
    int answer = 0;
    self->request(a, kDeadline, get_atom::value, i)
        .receive([&](int x) { answer = x; }, [](caf::error&) {});
    EXPECT_EQ(answer, i + 1);
  }
  auto rows = table.snapshot();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kind, "echo");
  EXPECT_EQ(rows[0].name, "e1");
  EXPECT_EQ(rows[0].id, a.id());
  EXPECT_EQ(rows[0].handled, 5u);
  EXPECT_EQ(rows[0].mailbox, 0u);  // each request waited for its answer
  EXPECT_EQ(rows[0].address, a.address()) << "the inspector reaches the actor through it";
  caf::anon_send(a, stop_atom::value);
  EXPECT_TRUE(eventually([&] { return table.size() == 0; }));
}

TEST(actor_probe, an_actor_records_the_depth_of_its_own_mailbox) {
  runtime::actor_table table;
  node_context ctx;
  ctx.actor_table = &table;
  runtime::node_actor_config cfg{2};
  caf::actor_system sys{cfg};
  std::promise<void> release;
  auto a = sys.spawn(echo, &ctx, release.get_future().share());
  caf::scoped_actor self{sys};
  caf::anon_send(a, wait_atom::value);
  auto depth = self->request(a, kDeadline, info_atom::value);
  for (int i = 0; i < 4; ++i) {
    caf::anon_send(a, get_atom::value, i);
  }
  release.set_value();
  std::size_t seen = 99;
  depth.receive([&](std::size_t d) { seen = d; }, [](caf::error&) {});
  EXPECT_EQ(seen, 4u);  // the four messages behind it
  EXPECT_TRUE(eventually([&] { return table.find(a.id())->handled() == 6; }));
  caf::anon_send(a, stop_atom::value);
}

TEST(actor_probe, without_a_table_the_behavior_is_unchanged) {
  node_context ctx;
  runtime::node_actor_config cfg{1};
  caf::actor_system sys{cfg};
  auto a = sys.spawn(echo, &ctx, open_gate());
  caf::scoped_actor self{sys};
  int answer = 0;
  self->request(a, kDeadline, get_atom::value, 41)
      .receive([&](int x) { answer = x; }, [](caf::error&) {});
  EXPECT_EQ(answer, 42);
  caf::anon_send(a, stop_atom::value);
}

struct tally_state {
  int total = 0;
};
using tally_actor = caf::stateful_actor<tally_state>;

/// Adds to its own total through handlers that every tally actor shares.
caf::behavior tally(tally_actor* self, node_context* ctx, std::string name) {
  static const caf::behavior shared{
      [](add_atom, int x) { running<tally_actor>()->state.total += x; },
      [](get_atom) { return running<tally_actor>()->state.total; },
  };
  return bound(self, probe_actor(self, ctx, "tally", std::move(name)), shared);
}

TEST(actor_probe, actors_sharing_one_behavior_each_handle_their_own_messages) {
  runtime::actor_table table;
  node_context ctx;
  ctx.actor_table = &table;
  node_context bare;  // no table
  runtime::node_actor_config cfg{2};
  caf::actor_system sys{cfg};
  auto a = sys.spawn(tally, &ctx, "a");
  auto b = sys.spawn(tally, &ctx, "b");
  auto c = sys.spawn(tally, &bare, "c");
  for (int i = 0; i < 1000; ++i) {  // interleaved, on both scheduler threads
    caf::anon_send(a, add_atom::value, 1);
    caf::anon_send(b, add_atom::value, 2);
    caf::anon_send(c, add_atom::value, 3);
  }
  caf::scoped_actor self{sys};
  auto total = [&](const caf::actor& x) {
    int out = -1;
    self->request(x, kDeadline, get_atom::value)
        .receive([&](int t) { out = t; }, [](caf::error&) {});
    return out;
  };
  EXPECT_EQ(total(a), 1000);
  EXPECT_EQ(total(b), 2000);
  EXPECT_EQ(total(c), 3000) << "bound without a table entry";
  EXPECT_EQ(table.find(a.id())->handled(), 1001u) << "still counted";
  EXPECT_EQ(running<tally_actor>(), nullptr) << "set only while a handler runs";
  for (const auto& x : {a, b, c}) {
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
  }
}

}  // namespace
}  // namespace plexichat::actors
