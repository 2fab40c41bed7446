#include "actors/channel/replica_log.hpp"
#include "actors/channel/write_queue.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::channel {
namespace {

epoch_claim by(uint64_t epoch, const char* owner) {
  return {epoch, owner};
}

/// A replica that took seqs first..last under `claim`.
void write(replica_log& log, const epoch_claim& claim, uint64_t first, uint64_t last) {
  ASSERT_EQ(log.judge(claim, first - 1, true), append_verdict::ok);
  log.appended(claim.epoch, first, last);
}

TEST(replica_log, a_newer_claim_is_granted_and_an_older_or_rival_one_refused) {
  replica_log log;
  EXPECT_TRUE(log.claim(by(1, "a")).granted);
  EXPECT_TRUE(log.claim(by(1, "a")).granted) << "the same owner again";
  auto rival = log.claim(by(1, "b"));
  EXPECT_FALSE(rival.granted) << "two owners never share an epoch";
  EXPECT_EQ(rival.promised, by(1, "a"));
  EXPECT_TRUE(log.claim(by(2, "b")).granted);
  EXPECT_FALSE(log.claim(by(1, "a")).granted);
  EXPECT_EQ(log.promised(), by(2, "b"));
}

TEST(replica_log, a_stale_owner_is_fenced_once_a_newer_claim_was_promised) {
  replica_log log;
  log.claim(by(1, "a"));
  write(log, by(1, "a"), 1, 5);
  log.claim(by(2, "b"));
  EXPECT_EQ(log.judge(by(1, "a"), 5, true), append_verdict::fenced);
  EXPECT_EQ(log.judge(by(1, "a"), 5, false), append_verdict::fenced) << "member changes too";
  EXPECT_EQ(log.judge(by(2, "b"), 5, true), append_verdict::ok);
}

TEST(replica_log, an_unclaimed_epoch_or_a_gap_asks_for_a_copy_first) {
  replica_log log;
  log.claim(by(1, "a"));
  write(log, by(1, "a"), 1, 3);
  EXPECT_EQ(log.judge(by(2, "b"), 3, true), append_verdict::out_of_sync);
  EXPECT_EQ(log.judge(by(1, "a"), 4, true), append_verdict::out_of_sync) << "seq 4 missing";
  EXPECT_EQ(log.judge(by(1, "a"), 2, true), append_verdict::out_of_sync) << "already past";
  EXPECT_EQ(log.judge(by(1, "a"), 9, false), append_verdict::ok) << "no seqs, no gap";
}

TEST(replica_log, epochs_record_where_each_began) {
  replica_log log;
  log.claim(by(1, "a"));
  write(log, by(1, "a"), 1, 4);
  write(log, by(1, "a"), 5, 6);
  log.claim(by(3, "c"));
  write(log, by(3, "c"), 7, 9);
  EXPECT_EQ(log.epochs(), (std::vector<epoch_start>{{1, 1}, {3, 7}}));
  EXPECT_EQ(log.last_epoch(), 3u);
  EXPECT_EQ(log.end_of(0), 0u);
  EXPECT_EQ(log.end_of(1), 6u);
  EXPECT_EQ(log.end_of(2), 6u);
  EXPECT_EQ(log.end_of(3), 9u);
}

TEST(replica_log, each_seq_has_the_epoch_it_was_written_in) {
  replica_log log;
  log.claim(by(1, "a"));
  write(log, by(1, "a"), 1, 4);
  log.claim(by(3, "c"));
  write(log, by(3, "c"), 5, 6);
  EXPECT_EQ(log.epoch_of(0), 0u);
  EXPECT_EQ(log.epoch_of(1), 1u);
  EXPECT_EQ(log.epoch_of(4), 1u);
  EXPECT_EQ(log.epoch_of(5), 3u);
  EXPECT_EQ(log.epoch_of(6), 3u);
  EXPECT_EQ(log.epoch_of(7), 0u) << "past the end";
  replica_log unrecorded{{}, {}, 3};
  EXPECT_EQ(unrecorded.epoch_of(2), 0u) << "a log written without epochs (a single node)";
}

TEST(replica_log, an_unacknowledged_tail_is_cut_back_to_the_agreement_point) {
  // Owner a wrote 1..6 under epoch 1 at replicas a and x; 5 and 6 reached only a before a
  // died. b took over with epoch 2 from x (1..4) and wrote 5..8.
  replica_log a_log;
  a_log.claim(by(1, "a"));
  write(a_log, by(1, "a"), 1, 6);
  replica_log b_log;
  b_log.claim(by(1, "a"));
  write(b_log, by(1, "a"), 1, 4);
  b_log.claim(by(2, "b"));
  write(b_log, by(2, "b"), 5, 8);

  auto cut = b_log.agreement_point(a_log.last_epoch(), a_log.last_seq());
  EXPECT_EQ(cut, 4u) << "a's 5 and 6 were never acknowledged and differ from b's";
  a_log.truncate(cut);
  a_log.adopt_epochs(b_log.epochs(), 8);
  EXPECT_EQ(a_log.epochs(), b_log.epochs());
  EXPECT_EQ(a_log.last_seq(), 8u);
}

TEST(replica_log, a_replica_that_is_only_behind_is_not_cut) {
  replica_log owner;
  owner.claim(by(1, "a"));
  write(owner, by(1, "a"), 1, 10);
  EXPECT_EQ(owner.agreement_point(1, 7), 7u);
  EXPECT_EQ(owner.agreement_point(0, 0), 0u);
}

TEST(replica_log, truncate_drops_epochs_that_began_after_the_cut) {
  replica_log log;
  log.claim(by(1, "a"));
  write(log, by(1, "a"), 1, 3);
  log.claim(by(2, "b"));
  write(log, by(2, "b"), 4, 6);
  log.truncate(3);
  EXPECT_EQ(log.last_seq(), 3u);
  EXPECT_EQ(log.last_epoch(), 1u);
  EXPECT_EQ(log.epochs(), (std::vector<epoch_start>{{1, 1}}));
  log.truncate(0);
  EXPECT_EQ(log.last_epoch(), 0u);
  EXPECT_TRUE(log.epochs().empty());
}

TEST(replica_log, positions_order_by_last_epoch_then_length) {
  replica_position longer_old{true, {}, 1, 9};
  replica_position shorter_new{true, {}, 2, 5};
  EXPECT_TRUE(shorter_new.newer_than(longer_old));
  EXPECT_FALSE(longer_old.newer_than(shorter_new));
  replica_position same_epoch_longer{true, {}, 2, 6};
  EXPECT_TRUE(same_epoch_longer.newer_than(shorter_new));
}

/// A replicated write of messages first..last of channel c1.
replica_write messages(uint64_t first, uint64_t last) {
  replica_write w;
  for (auto seq = first; seq <= last; ++seq) {
    storage::message_record m;
    m.channel_id = "c1";
    m.seq = seq;
    w.messages.push_back(m);
  }
  return w;
}

std::vector<uint64_t> seqs(const replica_write& w) {
  std::vector<uint64_t> out;
  for (const auto& m : w.messages) {
    out.push_back(m.seq);
  }
  return out;
}

TEST(write_queue, consecutive_messages_merge_and_every_callback_runs_in_order) {
  write_queue q;
  std::vector<int> called;
  q.push(messages(1, 1), [&](bool) { called.push_back(1); });
  q.push(messages(2, 3), [&](bool) { called.push_back(2); });
  q.push(messages(4, 4), [&](bool) { called.push_back(3); });
  ASSERT_EQ(q.size(), 1u);
  auto b = q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(seqs(b.write), (std::vector<uint64_t>{1, 2, 3, 4}));
  ASSERT_EQ(b.done.size(), 3u);
  for (auto& d : b.done) {
    d(true);
  }
  EXPECT_EQ(called, (std::vector<int>{1, 2, 3}));
}

TEST(write_queue, member_and_record_changes_keep_their_place_between_messages) {
  write_queue q;
  auto noop = [](bool) {};
  q.push(messages(1, 2), noop);
  replica_write join;
  join.add_members.push_back("u1");
  q.push(join, noop);
  q.push(messages(3, 3), noop);
  replica_write leave;
  leave.remove_members.push_back("u1");
  q.push(leave, noop);
  q.push(leave, noop);
  ASSERT_EQ(q.size(), 5u) << "only messages merge";
  EXPECT_EQ(seqs(q.pop().write), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(q.pop().write.add_members, std::vector<std::string>{"u1"});
  EXPECT_EQ(seqs(q.pop().write), (std::vector<uint64_t>{3}));
}

TEST(write_queue, a_gap_in_seqs_or_a_full_write_starts_another) {
  write_queue q{3};
  auto noop = [](bool) {};
  q.push(messages(1, 2), noop);
  q.push(messages(5, 5), noop);  // not consecutive
  q.push(messages(6, 7), noop);  // would make 3, within the limit
  q.push(messages(8, 9), noop);  // would make 5: over it
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(seqs(q.pop().write), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seqs(q.pop().write), (std::vector<uint64_t>{5, 6, 7}));
  auto rest = q.take_all();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(seqs(rest.front().write), (std::vector<uint64_t>{8, 9}));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace plexichat::actors::channel
