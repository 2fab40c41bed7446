#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/channel/replica.hpp"
#include "tests/unit/actors/test_node.hpp"

// The replica store's batched appends (replica.hpp), as a node's post relay sends them: several
// channels' appends in one message and one write, each judged as if sent alone.
namespace plexichat::actors::testing {
namespace {

using namespace std::chrono_literals;
using channel::append_result;
using channel::append_verdict;
using channel::epoch_claim;
using channel::replica_append;
using channel::replica_write;

storage::message_record message(const std::string& cid, uint64_t seq) {
  return {"m-" + cid + "-" + std::to_string(seq), cid, seq, "u-1", "alice", "hello", 1000, ""};
}

replica_write messages(const std::string& cid, uint64_t first, uint64_t last) {
  replica_write w;
  for (auto s = first; s <= last; ++s) {
    w.messages.push_back(message(cid, s));
  }
  return w;
}

class ReplicaBatchTest : public ::testing::Test {
 protected:
  ReplicaBatchTest() {
    replica_ = channel::spawn_replica(node_.sys(), &node_.ctx());
    node_.stop_at_shutdown(replica_);
  }

  void claim(const std::string& cid, const epoch_claim& c) {
    self_->request(replica_, 5s, claim_atom::value, cid, c)
        .receive([](channel::replica_position& p) { EXPECT_TRUE(p.granted); },
                 [](caf::error& err) { FAIL() << to_string(err); });
  }

  std::vector<append_result> append_all(std::vector<replica_append> appends) {
    std::vector<append_result> out;
    self_->request(replica_, 5s, append_atom::value, std::move(appends))
        .receive([&](std::vector<append_result>& r) { out = std::move(r); },
                 [](caf::error& err) { FAIL() << to_string(err); });
    return out;
  }

  std::vector<uint64_t> stored(const std::string& cid) {
    std::vector<uint64_t> seqs;
    for (const auto& m : node_.db().read_messages(cid, std::nullopt, std::nullopt, 100).messages) {
      seqs.push_back(m.seq);
    }
    return seqs;
  }

  test_node node_;
  caf::scoped_actor self_{node_.sys()};
  caf::actor replica_;
};

TEST_F(ReplicaBatchTest, EachAppendIsJudgedOnItsOwnAndTheTakenOnesAreStored) {
  epoch_claim by_n1{1, "n1"};
  claim("c-a", by_n1);
  claim("c-b", by_n1);
  auto results = append_all({
      {"c-a", by_n1, 0, messages("c-a", 1, 2)},
      {"c-b", by_n1, 0, messages("c-b", 1, 1)},
      {"c-a", by_n1, 2, messages("c-a", 3, 3)},  // follows the first, in the same batch
      {"c-b", by_n1, 5, messages("c-b", 6, 6)},  // a gap: the log ends at 1
      {"c-a", epoch_claim{1, "n2"}, 3, messages("c-a", 4, 4)},  // a rival claim for epoch 1
  });
  ASSERT_EQ(results.size(), 5U);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_FALSE(results[i].error) << i << ": " << to_string(results[i].error);
  }
  EXPECT_EQ(results[0].reply.verdict, append_verdict::ok);
  EXPECT_EQ(results[0].reply.last_seq, 2U);
  EXPECT_EQ(results[1].reply.verdict, append_verdict::ok);
  EXPECT_EQ(results[2].reply.verdict, append_verdict::ok);
  EXPECT_EQ(results[2].reply.last_seq, 3U);
  EXPECT_EQ(results[3].reply.verdict, append_verdict::out_of_sync);
  EXPECT_EQ(results[3].reply.last_seq, 1U);
  EXPECT_EQ(results[4].reply.verdict, append_verdict::fenced) << "n1 holds epoch 1";
  EXPECT_EQ(results[4].reply.promised, by_n1);
  EXPECT_EQ(stored("c-a"), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(stored("c-b"), (std::vector<uint64_t>{1}));
}

TEST_F(ReplicaBatchTest, MessagesOutOfOrderAreAnErrorForThatAppendAlone) {
  epoch_claim by_n1{1, "n1"};
  claim("c-a", by_n1);
  auto bad = messages("c-a", 1, 1);
  bad.messages.front().seq = 7;
  auto results = append_all({{"c-a", by_n1, 0, bad}, {"c-a", by_n1, 0, messages("c-a", 1, 1)}});
  ASSERT_EQ(results.size(), 2U);
  EXPECT_TRUE(results[0].error);
  EXPECT_FALSE(results[1].error) << to_string(results[1].error);
  EXPECT_EQ(results[1].reply.verdict, append_verdict::ok);
  EXPECT_EQ(stored("c-a"), std::vector<uint64_t>{1});
}

TEST_F(ReplicaBatchTest, AnEmptyBatchIsAnsweredEmpty) {
  EXPECT_TRUE(append_all({}).empty());
}

}  // namespace
}  // namespace plexichat::actors::testing
