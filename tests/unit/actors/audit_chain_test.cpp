// The audit log's hash chain without an actor system: sealing, and the verifier catching
// every kind of damage (altered field, altered MAC, deleted record, truncated tail,
// reordered records, wrong key).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "actors/audit/audit_chain.hpp"
#include "storage/keys.hpp"

namespace plexichat::actors::audit {
namespace {

const std::string kKey(32, 'k');

struct stored_log {
  std::vector<storage::audit_record> records;
  std::optional<chain_head> head;
};

stored_log make_log(int n, const std::string& key = kKey) {
  audit_chain chain(key, chain_head{});
  stored_log log;
  for (int i = 0; i < n; ++i) {
    log.records.push_back(chain.seal(
        {"auth.login", "u" + std::to_string(i), "u1", "127.0.0.1", R"({"username":"alice"})"},
        1000 + i));
  }
  log.head = chain.head();
  return log;
}

verify_result verify(const stored_log& log, const std::string& key = kKey) {
  audit_verifier v(key);
  for (const auto& r : log.records) {
    v.feed(r.seq, r);
  }
  return v.finish(log.head);
}

void expect_bad(const verify_result& r, uint64_t seq, const std::string& reason) {
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, seq);
  EXPECT_EQ(r.reason, reason);
}

TEST(AuditChain, SealsGaplessSeqsAndChainsMacs) {
  auto log = make_log(3);
  ASSERT_EQ(log.records.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(log.records[i].seq, i + 1);
    EXPECT_EQ(log.records[i].mac.size(), 32u);
  }
  EXPECT_NE(log.records[0].mac, log.records[1].mac);
  EXPECT_EQ(log.records[1].mac, record_mac(kKey, log.records[0].mac, log.records[1]));
  EXPECT_EQ(log.head->seq, 3u);
  EXPECT_EQ(log.head->mac, log.records[2].mac);
}

TEST(AuditChain, EmptyDetailBecomesEmptyObject) {
  audit_chain chain(kKey, chain_head{});
  EXPECT_EQ(chain.seal({"auth.logout", "u1", "u1", "", ""}, 5).detail, "{}");
}

TEST(AuditChain, ContinuesFromALoadedHead) {
  auto first = make_log(2);
  audit_chain chain(kKey, *first.head);
  first.records.push_back(chain.seal({"role.change", "operator", "u2", "", "{}"}, 9));
  first.head = chain.head();
  EXPECT_EQ(first.records.back().seq, 3u);
  EXPECT_TRUE(verify(first).ok);
}

TEST(AuditVerifier, AcceptsAnIntactLogAndAnEmptyOne) {
  auto r = verify(make_log(5));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 5u);
  auto empty = verify(stored_log{});
  EXPECT_TRUE(empty.ok);
  EXPECT_EQ(empty.records, 0u);
}

TEST(AuditVerifier, CatchesAnAlteredDetail) {
  auto log = make_log(4);
  log.records[1].detail = R"({"username":"mallory"})";
  expect_bad(verify(log), 2, "mac mismatch");
}

TEST(AuditVerifier, CatchesEveryAlteredField) {
  for (int field = 0; field < 5; ++field) {
    auto log = make_log(3);
    auto& r = log.records[2];
    switch (field) {
      case 0:
        r.type = "auth.logout";
        break;
      case 1:
        r.actor_id = "u9";
        break;
      case 2:
        r.subject = "u9";
        break;
      case 3:
        r.address = "10.0.0.1";
        break;
      default:
        r.time += 1;
        break;
    }
    SCOPED_TRACE(field);
    expect_bad(verify(log), 3, "mac mismatch");
  }
}

TEST(AuditVerifier, CatchesAnAlteredMac) {
  auto log = make_log(3);
  log.records[0].mac[5] ^= 1;
  expect_bad(verify(log), 1, "mac mismatch");
}

TEST(AuditVerifier, CatchesADeletedMiddleRecord) {
  auto log = make_log(5);
  log.records.erase(log.records.begin() + 2);
  expect_bad(verify(log), 3, "missing record");
}

TEST(AuditVerifier, CatchesADeletedFirstRecord) {
  auto log = make_log(3);
  log.records.erase(log.records.begin());
  expect_bad(verify(log), 1, "missing record");
}

TEST(AuditVerifier, CatchesATruncatedTailThroughTheHead) {
  auto log = make_log(5);
  log.records.pop_back();
  expect_bad(verify(log), 5, "missing record");
  log.records.clear();
  expect_bad(verify(log), 1, "missing record");
}

TEST(AuditVerifier, CatchesRecordsWithoutAHeadOrPastIt) {
  auto log = make_log(3);
  log.head.reset();
  expect_bad(verify(log), 3, "head missing");
  log.head = chain_head{2, log.records[1].mac};
  expect_bad(verify(log), 3, "head mismatch");
  log.head = chain_head{3, std::string(32, 'x')};
  expect_bad(verify(log), 3, "head mismatch");
}

TEST(AuditVerifier, CatchesSwappedRecords) {
  // Records swapped under their keys: their own seq gives them away.
  auto log = make_log(4);
  audit_verifier v(kKey);
  v.feed(1, log.records[0]);
  v.feed(2, log.records[2]);
  v.feed(3, log.records[1]);
  v.feed(4, log.records[3]);
  expect_bad(v.finish(log.head), 2, "seq mismatch");
  // Swapped with their seqs rewritten too: the chain no longer links.
  std::swap(log.records[1], log.records[2]);
  log.records[1].seq = 2;
  log.records[2].seq = 3;
  expect_bad(verify(log), 2, "mac mismatch");
}

TEST(AuditVerifier, CatchesAnUnreadableRecordAndAMalformedKey) {
  auto log = make_log(3);
  audit_verifier v(kKey);
  v.feed(1, log.records[0]);
  v.feed(2, std::nullopt);
  expect_bad(v.finish(log.head), 2, "unreadable record");
  audit_verifier w(kKey);
  w.feed(std::nullopt, log.records[0]);
  expect_bad(w.finish(log.head), 1, "malformed key");
}

TEST(AuditVerifier, RefusesALogUnderAnotherKey) {
  auto log = make_log(3);
  expect_bad(verify(log, std::string(32, 'o')), 1, "mac mismatch");
}

TEST(AuditHead, EncodesAndDecodes) {
  chain_head h{0x0102030405060708ULL, std::string(32, 'm')};
  auto bytes = encode_head(h);
  EXPECT_EQ(bytes.size(), 40u);
  EXPECT_EQ(decode_head(bytes), h);
  EXPECT_FALSE(decode_head(bytes.substr(1)));
  EXPECT_FALSE(decode_head(""));
}

}  // namespace
}  // namespace plexichat::actors::audit
