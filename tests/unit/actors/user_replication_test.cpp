#include "actors/directory/user_replication.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace plexichat::actors::directory {
namespace {

storage::user_record user(const std::string& id, const std::string& name, int64_t created) {
  return {id, name, "$argon2id$hash", created};
}

/// A stored-record lookup over a fixed name -> id map (whole records, created at 0).
auto stored(std::map<std::string, std::string> ids) {
  return [ids](const std::string& name) -> std::optional<storage::user_record> {
    auto i = ids.find(name);
    return i == ids.end() ? std::nullopt : std::optional{user(i->second, name, 0)};
  };
}

/// A stored-record lookup over fixed records.
auto stored_records(std::vector<storage::user_record> records) {
  return [records](const std::string& name) -> std::optional<storage::user_record> {
    for (const auto& r : records) {
      if (r.username == name) {
        return r;
      }
    }
    return std::nullopt;
  };
}

std::vector<std::string> ids(const std::vector<storage::user_record>& users) {
  std::vector<std::string> out;
  for (const auto& u : users) {
    out.push_back(u.id);
  }
  return out;
}

TEST(UserMergeTest, NewNamesAreStored) {
  auto plan = plan_user_merge({user("u1", "alice", 1), user("u2", "bob", 2)}, stored({}));
  EXPECT_EQ(ids(plan.store), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_TRUE(plan.conflicts.empty());
}

TEST(UserMergeTest, KnownRecordsAreSkipped) {
  auto plan =
      plan_user_merge({user("u1", "alice", 1), user("u2", "bob", 2)}, stored({{"alice", "u1"}}));
  EXPECT_EQ(ids(plan.store), (std::vector<std::string>{"u2"}));
  EXPECT_TRUE(plan.conflicts.empty());
}

TEST(UserMergeTest, ANameBoundToAnotherIdIsAConflictAndTheStoredOneStays) {
  auto plan = plan_user_merge({user("u9", "alice", 1)}, stored({{"alice", "u1"}}));
  EXPECT_TRUE(plan.store.empty());
  EXPECT_EQ(ids(plan.conflicts), (std::vector<std::string>{"u9"}));
}

TEST(UserMergeTest, TheEarliestOfOneNameWinsWhateverTheOrder) {
  auto a = plan_user_merge({user("u2", "alice", 20), user("u1", "alice", 10)}, stored({}));
  auto b = plan_user_merge({user("u1", "alice", 10), user("u2", "alice", 20)}, stored({}));
  EXPECT_EQ(ids(a.store), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(ids(a.conflicts), (std::vector<std::string>{"u2"}));
  EXPECT_EQ(ids(b.store), ids(a.store));
  EXPECT_EQ(ids(b.conflicts), ids(a.conflicts));
}

TEST(UserMergeTest, ARecordSentTwiceIsStoredOnce) {
  auto plan = plan_user_merge({user("u1", "alice", 1), user("u1", "alice", 1)}, stored({}));
  EXPECT_EQ(ids(plan.store), (std::vector<std::string>{"u1"}));
  EXPECT_TRUE(plan.conflicts.empty());
}

TEST(NewRevocationsTest, KeepsOnlyLiveUnknownOnes) {
  std::vector<token_revocation> in{{"t1", 2000}, {"t2", 500}, {"t3", 3000},
                                   {"t1", 2000}, {"", 5000},  {"t4", 1000}};
  auto fresh = new_revocations(in, 1000, [](const std::string& id) { return id == "t3"; });
  EXPECT_EQ(fresh, (std::vector<token_revocation>{{"t1", 2000}, {"t4", 1000}}));
}

TEST(SyncTrackerTest, SyncsNewPeersOnce) {
  sync_tracker t;
  EXPECT_EQ(t.due({{"n2", "a"}}), (std::vector<std::string>{"n2"}));
  EXPECT_TRUE(t.due({{"n2", "a"}}).empty());
  EXPECT_EQ(t.due({{"n2", "a"}, {"n3", "b"}}), (std::vector<std::string>{"n3"}));
}

TEST(SyncTrackerTest, ARestartedPeerIsSyncedAgain) {
  sync_tracker t;
  (void)t.due({{"n2", "a"}});
  EXPECT_EQ(t.due({{"n2", "a2"}}), (std::vector<std::string>{"n2"}));
}

TEST(SyncTrackerTest, APeerThatLeftAndCameBackIsSyncedAgain) {
  sync_tracker t;
  (void)t.due({{"n2", "a"}, {"n3", "b"}});
  EXPECT_TRUE(t.due({{"n3", "b"}}).empty());
  EXPECT_EQ(t.due({{"n2", "a"}, {"n3", "b"}}), (std::vector<std::string>{"n2"}));
}

storage::mfa_record mfa(int64_t version, std::string secret) {
  return {"u1", std::move(secret), true, 10, "k", {}, version};
}

storage::session_record session(const std::string& id, int64_t last_used) {
  return {id, "u1", "curl", "127.0.0.1", 1, last_used, 9000};
}

/// User u1's account holding `m` (if any), `sessions` and `ended`.
account_state account(std::vector<storage::mfa_record> m,
                      std::vector<storage::session_record> sessions = {},
                      std::vector<token_revocation> ended = {}) {
  account_state a{"u1"};
  a.mfa = std::move(m);
  a.sessions = std::move(sessions);
  a.ended = std::move(ended);
  return a;
}

TEST(AccountMergeTest, OnlyAHigherVersionSupersedes) {
  EXPECT_TRUE(supersedes(mfa(2, "b"), mfa(1, "a")));
  EXPECT_FALSE(supersedes(mfa(1, "b"), mfa(1, "a")));
  EXPECT_FALSE(supersedes(mfa(0, "b"), mfa(1, "a")));
}

TEST(AccountMergeTest, TheNewestSecondFactorRecordWins) {
  auto a = account({mfa(3, "three")});
  auto b = account({mfa(5, "five")});
  auto none = account({});
  std::vector<storage::mfa_record> five{mfa(5, "five")};
  EXPECT_EQ(merge_accounts("u1", {a, b, none}).mfa, five);
  EXPECT_EQ(merge_accounts("u1", {b, a}).mfa, five);
  EXPECT_TRUE(merge_accounts("u1", {none, none}).mfa.empty());
  // A disabled second factor is a tombstone that outranks the enrolment it ended.
  EXPECT_EQ(merge_accounts("u1", {a, account({mfa(4, "")})}).mfa.front().totp_secret, "");
}

TEST(AccountMergeTest, SessionsAreUnitedAndEndedOnesDropped) {
  auto a = account({}, {session("t1", 100), session("t2", 100)});
  auto b = account({}, {session("t1", 300), session("t3", 100)}, {{"t2", 9000}});
  auto merged = merge_accounts("u1", {a, b});
  EXPECT_EQ(merged.user_id, "u1");
  EXPECT_EQ(merged.sessions,
            (std::vector<storage::session_record>{session("t1", 300), session("t3", 100)}));
  EXPECT_EQ(merged.ended, (std::vector<token_revocation>{{"t2", 9000}}));
  // The same end from two copies is listed once.
  EXPECT_EQ(merge_accounts("u1", {b, b}).ended.size(), 1u);
}

TEST(UserMergeTest, AWholeRecordReplacesTheStoredPublicPartAndNotTheOtherWayRound) {
  auto whole = user("u1", "alice", 1);
  auto plan = plan_user_merge({whole}, stored_records({public_part(whole)}));
  EXPECT_EQ(plan.store, std::vector<storage::user_record>{whole});
  EXPECT_TRUE(plan.conflicts.empty());
  EXPECT_TRUE(plan_user_merge({public_part(whole)}, stored_records({whole})).store.empty());
}

TEST(UserMergeTest, ANewerWholeRecordReplacesAnOlderOne) {
  storage::user_record v1{"u1", "alice", "hash-1", 5, 1};
  storage::user_record v2{"u1", "alice", "hash-2", 5, 2};
  EXPECT_EQ(plan_user_merge({v2}, stored_records({v1})).store,
            std::vector<storage::user_record>{v2});
  EXPECT_TRUE(plan_user_merge({v1}, stored_records({v2})).store.empty());
}

TEST(UserRecordTest, ThePublicPartHasNoSecretAndNeverSupersedesAWholeRecord) {
  storage::user_record whole{"u1", "alice", "hash-1", 5, 1};
  storage::user_record newer_public{"u1", "alice", "", 5, 7};
  EXPECT_TRUE(holds_secret(whole));
  EXPECT_FALSE(holds_secret(public_part(whole)));
  EXPECT_EQ(public_part(whole).id, "u1");
  EXPECT_EQ(public_part(whole).username, "alice");
  EXPECT_EQ(public_part(whole).version, 1);
  EXPECT_FALSE(supersedes(newer_public, whole));
  EXPECT_TRUE(supersedes(whole, newer_public));
  EXPECT_TRUE(supersedes(newer_public, public_part(whole)));
  EXPECT_FALSE(supersedes(public_part(whole), public_part(whole)));
}

TEST(AccountMergeTest, AWholeRecordWinsOverAnyPublicPart) {
  storage::user_record whole{"u1", "alice", "hash-1", 5, 1};
  std::vector<account_state> parts(3, account_state{"u1"});
  parts[0].user = {public_part(whole)};
  parts[1].user = {whole};
  parts[2].user = {storage::user_record{"u1", "alice", "", 5, 4}};
  EXPECT_EQ(merge_accounts("u1", parts).user, std::vector<storage::user_record>{whole});
}

/// A fixed placement: the replicas of each username.
auto placed(std::map<std::string, std::vector<std::string>> by_name) {
  return [by_name](const std::string& name) { return by_name.at(name); };
}

/// The handoff plan at `self` of alice (u1) and bob (u2), both held whole, placed on
/// `alice` and `bob`.
handoff_plan plan_alice_and_bob(const std::string& self, std::vector<std::string> alice,
                                std::vector<std::string> bob,
                                const std::set<std::string>& reachable) {
  return plan_handoff({user("u1", "alice", 1), user("u2", "bob", 2)}, self,
                      placed({{"alice", std::move(alice)}, {"bob", std::move(bob)}}), reachable);
}

TEST(HandoffTest, EachWholeAccountGoesToItsOtherReachableReplicas) {
  auto plan = plan_alice_and_bob("n1", {"n1", "n2", "n3"}, {"n4", "n1", "n5"}, {"n2", "n3", "n4"});
  std::map<std::string, std::vector<std::string>> send{
      {"n2", {"u1"}}, {"n3", {"u1"}}, {"n4", {"u2"}}};
  EXPECT_EQ(plan.send, send);
  EXPECT_TRUE(plan.release.empty());  // n1 is a replica of both
}

TEST(HandoffTest, ANodeNoLongerAReplicaReleasesOnlyWhenEveryReplicaIsReachable) {
  auto plan = plan_alice_and_bob("n5", {"n1", "n2", "n3"}, {"n2", "n3", "n4"}, {"n1", "n2", "n3"});
  std::map<std::string, std::vector<std::string>> release{{"u1", {"n1", "n2", "n3"}}};
  EXPECT_EQ(plan.release, release);  // bob's replica n4 is not reachable: n5 keeps bob whole
  EXPECT_EQ(plan.send.at("n2"), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(plan.send.count("n4"), 0u);
}

TEST(HandoffTest, PublicPartsAreNotHandedOff) {
  auto plan = plan_handoff({public_part(user("u1", "alice", 1))}, "n5",
                           placed({{"alice", {"n1", "n2", "n3"}}}), {"n1", "n2", "n3"});
  EXPECT_TRUE(plan.send.empty());
  EXPECT_TRUE(plan.release.empty());
}

TEST(AccountMergeTest, TheNewestUserRecordOfThatUserWins) {
  storage::user_record v1{"u1", "alice", "hash-1", 5, 1};
  storage::user_record v2{"u1", "alice", "hash-2", 5, 2};
  storage::user_record other{"u2", "bob", "hash-9", 5, 9};
  std::vector<account_state> parts(3, account_state{"u1"});
  parts[0].user = {v2};
  parts[1].user = {v1};
  parts[2].user = {other};
  EXPECT_EQ(merge_accounts("u1", parts).user, std::vector<storage::user_record>{v2});
  EXPECT_FALSE(supersedes(other, v1));
  EXPECT_TRUE(supersedes(v2, v1));
}

}  // namespace
}  // namespace plexichat::actors::directory
