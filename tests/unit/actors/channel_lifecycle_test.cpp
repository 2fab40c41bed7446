#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include <caf/system_messages.hpp>

#include "tests/unit/actors/test_node.hpp"

// How channel actors start, stop when idle, and fail (channel.hpp), on a real actor system.
namespace plexichat::actors::testing {
namespace {

using namespace std::chrono_literals;

const std::string kOwner = "u-owner";

/// Waits (with a deadline) until `actor` has stopped; false if it did not.
bool wait_for_down(caf::scoped_actor& self, const caf::actor& actor) {
  self->monitor(actor);
  bool down = false;
  self->receive([&](const caf::down_msg& dm) { down = dm.source == actor.address(); },
                caf::after(kDeadline) >> [] {});
  return down;
}

std::vector<uint64_t> stored_seqs(storage::database& db, const std::string& cid) {
  std::vector<uint64_t> out;
  for (const auto& m : db.read_messages(cid, 0, std::nullopt, 1000).messages) {
    out.push_back(m.seq);
  }
  return out;
}

TEST(ChannelLifecycleTest, IdleChannelStopsAndItsSuccessorContinuesTheSeq) {
  test_node node{200ms};
  caf::scoped_actor self{node.sys()};
  auto view = node.create_channel(self, kOwner, "sleepy");
  ASSERT_TRUE(view) << to_string(view.error());
  auto cid = view->record.id;
  auto first = node.post(self, cid, kOwner, "one", "n-1");
  ASSERT_TRUE(first) << to_string(first.error());
  ASSERT_TRUE(node.post(self, cid, kOwner, "two"));
  ASSERT_TRUE(node.post(self, cid, kOwner, "three"));
  auto before = node.lookup(self, cid);
  ASSERT_TRUE(before);
  ASSERT_TRUE(wait_for_down(self, *before)) << "the idle channel actor did not stop";

  auto after = node.lookup(self, cid);
  ASSERT_TRUE(after) << to_string(after.error());
  EXPECT_NE(*after, *before) << "a new actor serves the channel";
  auto next = node.post(self, cid, kOwner, "four");
  ASSERT_TRUE(next) << to_string(next.error());
  EXPECT_EQ(next->seq, 4u) << "the seq continues from storage";
  auto repeated = node.post(self, cid, kOwner, "one again", "n-1");
  ASSERT_TRUE(repeated) << to_string(repeated.error());
  EXPECT_EQ(*repeated, *first) << "nonces survive the restart";
  EXPECT_EQ(stored_seqs(node.db(), cid), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(ChannelLifecycleTest, ChannelWithASubscriberDoesNotStop) {
  test_node node{200ms};
  caf::scoped_actor self{node.sys()};
  auto busy = node.create_channel(self, kOwner, "busy");
  ASSERT_TRUE(busy);
  caf::scoped_actor session{node.sys()};
  auto handle = caf::actor_cast<caf::actor>(session.ptr());
  ASSERT_TRUE(
      node.on_channel<uint64_t>(session, busy->record.id, subscribe_atom::value, kOwner, handle));
  auto busy_actor = node.lookup(self, busy->record.id);
  ASSERT_TRUE(busy_actor);
  self->monitor(*busy_actor);
  // Two witness channels idle out one after the other, each started after the subscription:
  // by the second's stop the subscribed channel has been quiet for two idle periods.
  for (int i = 0; i < 2; ++i) {
    auto witness = node.create_channel(self, kOwner, "witness-" + std::to_string(i));
    ASSERT_TRUE(witness);
    auto witness_actor = node.lookup(self, witness->record.id);
    ASSERT_TRUE(witness_actor);
    ASSERT_TRUE(wait_for_down(self, *witness_actor)) << "the subscribed channel stopped first";
  }
  auto again = node.lookup(self, busy->record.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *busy_actor) << "a channel with a subscriber keeps its actor";
  std::size_t downs = 0;
  self->receive([&](const caf::down_msg&) { ++downs; }, caf::after(0ms) >> [] {});
  EXPECT_EQ(downs, 0u);
}

TEST(ChannelLifecycleTest, StorageFailureAnswersUnavailable) {
  test_node node;
  caf::scoped_actor self{node.sys()};
  auto view = node.create_channel(self, kOwner, "doomed");
  ASSERT_TRUE(view);
  auto cid = view->record.id;
  auto actor = node.lookup(self, cid);
  ASSERT_TRUE(actor);
  node.writer().stop();  // every later write fails
  EXPECT_EQ(error_code(node.post(self, cid, kOwner, "lost")), api_errc::unavailable);
  EXPECT_TRUE(wait_for_down(self, *actor)) << "the channel reloads after a failed write";
  // The channel told the registry it stops before it answered: a lookup now waits for the
  // fresh actor instead of getting the stopped one.
  auto fresh = node.lookup(self, cid);
  ASSERT_TRUE(fresh);
  EXPECT_NE(*fresh, *actor);
  auto info = node.on_channel<channel_view>(self, cid, info_atom::value, kOwner);
  ASSERT_TRUE(info) << "the registry must outlive a failed channel: " << to_string(info.error());
  EXPECT_EQ(info->last_seq, 0u) << "the failed message was never shown";
  EXPECT_EQ(error_code(node.on_channel<bool>(self, cid, join_atom::value, std::string{"bob"})),
            api_errc::unavailable);
  EXPECT_EQ(error_code(node.create_channel(self, kOwner, "never")), api_errc::unavailable);
  EXPECT_EQ(node.db().last_seq(cid), 0u);
}

/// Holds every worker of the blocking pool on a job until release() (or destruction), so
/// that a test can let messages pile up in an actor that waits for the pool.
class pool_blocker {
 public:
  pool_blocker(const caf::actor& pool, std::size_t workers) : released_(gate_.get_future()) {
    for (std::size_t i = 0; i < workers; ++i) {
      blocking_job job = [done = released_] {
        done.wait();
        return caf::make_message(true);
      };
      caf::anon_send(pool, run_atom::value, std::move(job));
    }
  }
  pool_blocker(const pool_blocker&) = delete;
  pool_blocker& operator=(const pool_blocker&) = delete;
  ~pool_blocker() { release(); }

  void release() {
    if (!open_) {
      open_ = true;
      gate_.set_value();
    }
  }

 private:
  std::promise<void> gate_;
  std::shared_future<void> released_;
  bool open_ = false;
};

TEST(ChannelLifecycleTest, EveryPostInFlightIsAnsweredWhenAWriteFails) {
  test_node node;
  caf::scoped_actor self{node.sys()};
  auto view = node.create_channel(self, kOwner, "doomed");
  ASSERT_TRUE(view);
  // The channel's actor loads its snapshot on the blocking pool: while the pool is held, the
  // posts queue up, and once it loads it handles them all before the first write fails.
  pool_blocker blocker{node.ctx().blocking, 2};
  auto actor = node.lookup(self, view->record.id);
  ASSERT_TRUE(actor);
  node.writer().stop();
  std::vector<decltype(self->request(*actor, kDeadline, post_atom::value, post_request{}))> handles;
  for (int i = 0; i < 5; ++i) {
    // The second repeats the first's nonce: it waits for the first's seq.
    auto nonce = "n" + std::to_string(i == 1 ? 0 : i);
    post_request req{kOwner, "owner", "m" + std::to_string(i), nonce};
    handles.push_back(self->request(*actor, kDeadline, post_atom::value, req));
  }
  blocker.release();
  for (auto& h : handles) {
    caf::error err;
    h.receive([](storage::message_record&) { ADD_FAILURE() << "a failed write was acked"; },
              [&](caf::error& e) { err = std::move(e); });
    EXPECT_FALSE(err == caf::sec::request_timeout) << "a post was never answered";
    EXPECT_TRUE(err);
  }
  EXPECT_EQ(node.db().last_seq(view->record.id), 0u);
}

TEST(ChannelLifecycleTest, RegistryExitStopsItsChannels) {
  test_node node;
  caf::scoped_actor self{node.sys()};
  auto view = node.create_channel(self, kOwner, "linked");
  ASSERT_TRUE(view);
  auto actor = node.lookup(self, view->record.id);
  ASSERT_TRUE(actor);
  caf::anon_send_exit(node.ctx().channels, caf::exit_reason::user_shutdown);
  EXPECT_TRUE(wait_for_down(self, *actor)) << "a node stops its channels by stopping the registry";
}

}  // namespace
}  // namespace plexichat::actors::testing
