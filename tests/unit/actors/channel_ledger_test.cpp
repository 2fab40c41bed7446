#include "actors/channel/channel_ledger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plexichat::actors::channel {
namespace {

constexpr int64_t kTtl = 1000;
constexpr int64_t kNow = 1'700'000'000'000;

storage::channel_record channel_rec(bool is_private) {
  return {"c1", "general", "topic", is_private, "owner", 1};
}

channel_ledger make_ledger(uint64_t last_seq = 0, bool is_private = false) {
  return channel_ledger{channel_rec(is_private), {"owner", "bob"}, last_seq, kTtl};
}

uint64_t assign_seq(channel_ledger& ledger, const std::string& author = "bob",
                    const std::string& nonce = {}, int64_t now = kNow) {
  return ledger.assign(author, author + "-name", "hi", nonce, "m", now).seq;
}

TEST(ChannelLedgerTest, FreshChannelAssignsFromOne) {
  auto ledger = make_ledger();
  EXPECT_EQ(ledger.committed_seq(), 0u);
  EXPECT_EQ(ledger.assigned_seq(), 0u);
  EXPECT_EQ(assign_seq(ledger), 1u);
  EXPECT_EQ(assign_seq(ledger), 2u);
  EXPECT_EQ(assign_seq(ledger), 3u);
  EXPECT_EQ(ledger.assigned_seq(), 3u);
  EXPECT_EQ(ledger.committed_seq(), 0u) << "assigning does not make anything durable";
}

TEST(ChannelLedgerTest, AssignContinuesFromLastSeq) {
  auto ledger = make_ledger(41);
  EXPECT_EQ(ledger.committed_seq(), 41u);
  EXPECT_EQ(ledger.assigned_seq(), 41u);
  EXPECT_EQ(assign_seq(ledger), 42u);
  EXPECT_EQ(assign_seq(ledger), 43u);
}

TEST(ChannelLedgerTest, AssignFillsTheRecord) {
  auto ledger = make_ledger(7);
  auto m = ledger.assign("bob", "Bob", "hello", "n1", "m-id", kNow);
  EXPECT_EQ(m.id, "m-id");
  EXPECT_EQ(m.channel_id, "c1");
  EXPECT_EQ(m.seq, 8u);
  EXPECT_EQ(m.author_id, "bob");
  EXPECT_EQ(m.author, "Bob");
  EXPECT_EQ(m.content, "hello");
  EXPECT_EQ(m.created_at, kNow);
  EXPECT_EQ(m.nonce, "n1");
}

TEST(ChannelLedgerTest, CommitAdvancesAndNeverGoesBack) {
  auto ledger = make_ledger();
  for (int i = 0; i < 3; ++i) {
    assign_seq(ledger);
  }
  ledger.commit(1);
  EXPECT_EQ(ledger.committed_seq(), 1u);
  ledger.commit(3);
  EXPECT_EQ(ledger.committed_seq(), 3u);
  ledger.commit(2);
  EXPECT_EQ(ledger.committed_seq(), 3u);
  EXPECT_EQ(ledger.assigned_seq(), 3u);
}

TEST(ChannelLedgerTest, AbandonResetsAssignedAndForgetsUncommittedNonces) {
  auto ledger = make_ledger(10);
  EXPECT_EQ(assign_seq(ledger, "bob", "a"), 11u);
  EXPECT_EQ(assign_seq(ledger, "bob", "b"), 12u);
  EXPECT_EQ(assign_seq(ledger, "bob", "c"), 13u);
  ledger.commit(11);
  ledger.abandon_uncommitted();
  EXPECT_EQ(ledger.assigned_seq(), 11u);
  EXPECT_EQ(ledger.committed_seq(), 11u);
  EXPECT_EQ(ledger.find_nonce("bob", "a", kNow), 11u);
  EXPECT_EQ(ledger.find_nonce("bob", "b", kNow), std::nullopt);
  EXPECT_EQ(ledger.find_nonce("bob", "c", kNow), std::nullopt);
  EXPECT_EQ(ledger.nonce_count(), 1u);
  // The abandoned seqs are handed out again: no gap.
  EXPECT_EQ(assign_seq(ledger, "bob", "b"), 12u);
  EXPECT_EQ(ledger.find_nonce("bob", "b", kNow), 12u);
}

TEST(ChannelLedgerTest, AbandonKeepsCommittedNonces) {
  auto ledger = make_ledger(5);
  EXPECT_EQ(assign_seq(ledger, "bob", "old"), 6u);
  ledger.commit(6);
  assign_seq(ledger, "bob", "new");
  ledger.abandon_uncommitted();
  EXPECT_EQ(ledger.find_nonce("bob", "old", kNow), 6u);
  EXPECT_EQ(ledger.find_nonce("bob", "new", kNow), std::nullopt);
  EXPECT_EQ(ledger.assigned_seq(), 6u);
}

TEST(ChannelLedgerTest, FindNonceWithinTtlOnly) {
  auto ledger = make_ledger();
  auto seq = assign_seq(ledger, "bob", "n", kNow);
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow), seq);
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow + kTtl), seq) << "the TTL's last millisecond";
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow + kTtl + 1), std::nullopt);
  EXPECT_EQ(ledger.find_nonce("bob", "other", kNow), std::nullopt);
}

TEST(ChannelLedgerTest, EmptyNonceIsNotRemembered) {
  auto ledger = make_ledger();
  assign_seq(ledger, "bob", "");
  EXPECT_EQ(ledger.nonce_count(), 0u);
  EXPECT_EQ(ledger.find_nonce("bob", "", kNow), std::nullopt);
}

TEST(ChannelLedgerTest, NoncesAreSeparatePerAuthor) {
  auto ledger = make_ledger();
  auto bob_seq = assign_seq(ledger, "bob", "n");
  EXPECT_EQ(ledger.find_nonce("owner", "n", kNow), std::nullopt);
  auto owner_seq = assign_seq(ledger, "owner", "n");
  EXPECT_NE(bob_seq, owner_seq);
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow), bob_seq);
  EXPECT_EQ(ledger.find_nonce("owner", "n", kNow), owner_seq);
  EXPECT_EQ(ledger.nonce_count(), 2u);
}

TEST(ChannelLedgerTest, NonceKeysDoNotRunTogether) {
  auto ledger = make_ledger();
  auto seq = assign_seq(ledger, "ab", "c");
  EXPECT_EQ(ledger.find_nonce("ab", "c", kNow), seq);
  EXPECT_EQ(ledger.find_nonce("a", "bc", kNow), std::nullopt);
  EXPECT_EQ(ledger.find_nonce("abc", "", kNow), std::nullopt);
}

TEST(ChannelLedgerTest, ForgetsNoncesOnceStoredInSeqOrder) {
  auto ledger = make_ledger(3);
  EXPECT_EQ(assign_seq(ledger, "bob", "a"), 4u);
  EXPECT_EQ(assign_seq(ledger, "bob"), 5u);  // no nonce
  EXPECT_EQ(assign_seq(ledger, "owner", "b"), 6u);
  EXPECT_EQ(assign_seq(ledger, "bob", "c"), 7u);
  ledger.forget_nonces_through(3);
  EXPECT_EQ(ledger.nonce_count(), 3u) << "nothing of this ledger's was stored through 3";
  ledger.forget_nonces_through(6);
  EXPECT_EQ(ledger.nonce_count(), 1u);
  EXPECT_EQ(ledger.find_nonce("bob", "a", kNow), std::nullopt) << "the store answers now";
  EXPECT_EQ(ledger.find_nonce("owner", "b", kNow), std::nullopt);
  EXPECT_EQ(ledger.find_nonce("bob", "c", kNow), 7u);
  ledger.forget_nonces_through(100);
  EXPECT_EQ(ledger.nonce_count(), 0u);
  ledger.forget_nonces_through(100);
  EXPECT_EQ(ledger.nonce_count(), 0u);
}

TEST(ChannelLedgerTest, ForgettingAnExpiredUseKeepsTheNewerOne) {
  auto ledger = make_ledger();
  EXPECT_EQ(assign_seq(ledger, "bob", "n", kNow), 1u);
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow + kTtl + 1), std::nullopt);
  EXPECT_EQ(assign_seq(ledger, "bob", "n", kNow + kTtl + 1), 2u);
  ledger.forget_nonces_through(1);
  EXPECT_EQ(ledger.find_nonce("bob", "n", kNow + kTtl + 1), 2u);
  ledger.forget_nonces_through(2);
  EXPECT_EQ(ledger.nonce_count(), 0u);
}

TEST(ChannelLedgerTest, MembershipAddAndRemove) {
  auto ledger = make_ledger();
  EXPECT_EQ(ledger.member_count(), 2u);
  EXPECT_TRUE(ledger.is_member("owner"));
  EXPECT_FALSE(ledger.is_member("carol"));
  EXPECT_TRUE(ledger.add_member("carol"));
  EXPECT_FALSE(ledger.add_member("carol")) << "no change";
  EXPECT_TRUE(ledger.is_member("carol"));
  EXPECT_EQ(ledger.member_count(), 3u);
  EXPECT_TRUE(ledger.remove_member("carol"));
  EXPECT_FALSE(ledger.remove_member("carol")) << "no change";
  EXPECT_FALSE(ledger.is_member("carol"));
  EXPECT_EQ(ledger.member_count(), 2u);
}

TEST(ChannelLedgerTest, PublicChannelIsVisibleToEveryone) {
  auto ledger = make_ledger(0, false);
  EXPECT_TRUE(ledger.can_view("owner"));
  EXPECT_TRUE(ledger.can_view("stranger"));
  EXPECT_FALSE(ledger.is_member("stranger"));
}

TEST(ChannelLedgerTest, PrivateChannelIsVisibleToMembersOnly) {
  auto ledger = make_ledger(0, true);
  EXPECT_TRUE(ledger.can_view("owner"));
  EXPECT_TRUE(ledger.can_view("bob"));
  EXPECT_FALSE(ledger.can_view("stranger"));
  ledger.add_member("stranger");
  EXPECT_TRUE(ledger.can_view("stranger"));
  ledger.remove_member("bob");
  EXPECT_FALSE(ledger.can_view("bob"));
}

TEST(ChannelLedgerTest, RecordIsKept) {
  auto ledger = make_ledger(0, true);
  EXPECT_EQ(ledger.record(), channel_rec(true));
}

}  // namespace
}  // namespace plexichat::actors::channel
