// The audit log over a real database: records and head written together, the whole-log
// verification catching an edited, deleted or truncated record, load_head, and the
// database's audit, role and user-list reads.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "actors/audit/audit_store.hpp"
#include "runtime/crypto.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::actors::audit {
namespace {

const std::string kKey(32, 'k');

class AuditStoreTest : public ::testing::Test {
 protected:
  AuditStoreTest() {
    auto opened = storage::database::open({dir_.sub("db")});
    EXPECT_TRUE(opened.ok());
    db_ = std::move(opened).value();
  }

  /// Appends n records, each in its own synced write, as the audit actor and tools do.
  void append(int n) {
    audit_chain chain(kKey, load_head(*db_));
    for (int i = 0; i < n; ++i) {
      storage::write_batch batch;
      add_record(batch, chain.seal({"channel.join", "u1", "c1", "::1", "{}"}, 10 + i));
      ASSERT_TRUE(db_->write(batch, true).ok());
    }
  }

  void damage(void (*how)(storage::write_batch&, storage::database&)) {
    storage::write_batch batch;
    how(batch, *db_);
    ASSERT_TRUE(db_->write(batch, true).ok());
  }

  storage::testing::temp_dir dir_;
  std::unique_ptr<storage::database> db_;
};

TEST_F(AuditStoreTest, AnEmptyLogIsIntact) {
  auto r = verify_log(*db_, kKey);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(load_head(*db_), chain_head{});
  EXPECT_EQ(describe(r), "audit log intact: 0 records");
}

TEST_F(AuditStoreTest, AppendsContinueTheStoredChain) {
  append(3);
  append(2);
  EXPECT_EQ(load_head(*db_).seq, 5u);
  auto r = verify_log(*db_, kKey);
  EXPECT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(r.records, 5u);
}

TEST_F(AuditStoreTest, CatchesAnEditedRecord) {
  append(4);
  damage([](storage::write_batch& b, storage::database& db) {
    auto rec = db.read_audit(1, 1).records.at(0);
    rec.detail = R"({"tampered":true})";
    b.put_audit(rec);
  });
  auto r = verify_log(*db_, kKey);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2u);
  EXPECT_EQ(describe(r), "audit log damaged at seq 2: mac mismatch");
}

TEST_F(AuditStoreTest, CatchesADeletedRecordAndATruncatedTail) {
  append(4);
  damage([](storage::write_batch& b, storage::database&) { b.delete_audit(4); });
  auto r = verify_log(*db_, kKey);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4u);
  EXPECT_EQ(r.reason, "missing record");
  damage([](storage::write_batch& b, storage::database&) { b.delete_audit(2); });
  r = verify_log(*db_, kKey);
  EXPECT_EQ(r.first_bad_seq, 2u);
  EXPECT_EQ(r.reason, "missing record");
}

TEST_F(AuditStoreTest, HeadComesFromMetaElseTheLastRecord) {
  append(3);
  auto last = db_->last_audit();
  ASSERT_TRUE(last);
  EXPECT_EQ(load_head(*db_), (chain_head{3, last->mac}));
  damage([](storage::write_batch& b, storage::database&) {
    b.put_meta(storage::audit_head_key, "short");
  });
  EXPECT_EQ(load_head(*db_), (chain_head{3, last->mac}));
  EXPECT_EQ(verify_log(*db_, kKey).reason, "unreadable head");
}

TEST_F(AuditStoreTest, ReadsPagesInSeqOrder) {
  append(5);
  auto page = db_->read_audit(0, 2);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].seq, 1u);
  EXPECT_TRUE(page.has_more);
  page = db_->read_audit(3, 10);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[1].seq, 5u);
  EXPECT_FALSE(page.has_more);
  EXPECT_TRUE(db_->read_audit(5, 10).records.empty());
}

TEST_F(AuditStoreTest, StoresRolesAndPagesUsers) {
  storage::write_batch batch;
  for (auto id : {"ua", "ub", "uc"}) {
    batch.put_user({id, std::string("name_") + id, "hash", 1});
  }
  batch.put_role("ub", "admin");
  ASSERT_TRUE(db_->write(batch, true).ok());
  EXPECT_EQ(db_->get_role("ub"), "admin");
  EXPECT_FALSE(db_->get_role("ua"));
  ASSERT_EQ(db_->roles().size(), 1u);
  auto page = db_->list_users("", 2);
  ASSERT_EQ(page.users.size(), 2u);
  EXPECT_EQ(page.users[1].id, "ub");
  EXPECT_TRUE(page.has_more);
  page = db_->list_users("ub", 2);
  ASSERT_EQ(page.users.size(), 1u);
  EXPECT_EQ(page.users[0].id, "uc");
  EXPECT_FALSE(page.has_more);
  storage::write_batch revoke;
  revoke.delete_role("ub");
  ASSERT_TRUE(db_->write(revoke, true).ok());
  EXPECT_TRUE(db_->roles().empty());
}

}  // namespace
}  // namespace plexichat::actors::audit
