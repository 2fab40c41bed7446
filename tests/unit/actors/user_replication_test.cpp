#include "actors/directory/user_replication.hpp"

#include <gtest/gtest.h>

#include <map>

namespace plexichat::actors::directory {
namespace {

storage::user_record user(const std::string& id, const std::string& name, int64_t created) {
  return {id, name, "$argon2id$hash", created};
}

/// A stored_id lookup over a fixed name -> id map.
auto stored(std::map<std::string, std::string> ids) {
  return [ids](const std::string& name) -> std::optional<std::string> {
    auto i = ids.find(name);
    return i == ids.end() ? std::nullopt : std::optional<std::string>{i->second};
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

}  // namespace
}  // namespace plexichat::actors::directory
