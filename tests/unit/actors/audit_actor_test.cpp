// The audit and access actors on a real database: appends are gapless and durable, a batch
// commits with its record, reads page, verification runs, and role changes are audited and
// guarded (last admin).
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/access/access.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/audit/audit_store.hpp"
#include "tests/unit/actors/test_node.hpp"

namespace plexichat::actors {
namespace {

using testing::call;
using testing::error_code;

const std::string kKey(32, 'k');

/// The answer, or "error: ..." so that a comparison with the expected text fails visibly.
std::string text(const caf::expected<std::string>& x) {
  return x ? *x : "error: " + to_string(x.error());
}

class AuditActorTest : public ::testing::Test {
 protected:
  AuditActorTest() : self_(node_.sys()) {
    auto& ctx = node_.ctx();
    ctx.audit = audit::spawn_audit_log(node_.sys(), &ctx, kKey, audit::load_head(node_.db()));
    ctx.access = access::spawn_access(node_.sys(), &ctx);
    node_.stop_at_shutdown(ctx.audit);
    node_.stop_at_shutdown(ctx.access);
  }

  caf::expected<uint64_t> append(const std::string& type) {
    return call<uint64_t>(self_, node_.ctx().audit, append_atom::value,
                          audit::audit_entry{type, "u1", "s", "::1", "{}"});
  }

  caf::expected<std::string> grant(const std::string& by, const std::string& target,
                                   const std::string& role) {
    return call<std::string>(self_, node_.ctx().access, grant_atom::value, by, target, role,
                             std::string("10.0.0.1"));
  }

  std::string role_of(const std::string& user) {
    return text(call<std::string>(self_, node_.ctx().access, role_atom::value, user));
  }

  testing::test_node node_;
  caf::scoped_actor self_;
};

TEST_F(AuditActorTest, ConcurrentAppendsGetGaplessSeqsAndAreDurable) {
  constexpr int kClients = 4;
  constexpr int kEach = 25;
  for (int i = 0; i < kClients; ++i) {
    for (int j = 0; j < kEach; ++j) {
      caf::anon_send(node_.ctx().audit, append_atom::value,
                     audit::audit_entry{"t" + std::to_string(i), "u", "s", "", "{}"});
    }
  }
  // One more, answered: the audit actor handles its mailbox in order, so all are sealed.
  auto last = append("last");
  ASSERT_TRUE(last) << to_string(last.error());
  EXPECT_EQ(*last, kClients * kEach + 1u);
  auto page = node_.db().read_audit(0, 1000);
  ASSERT_EQ(page.records.size(), kClients * kEach + 1u);
  for (std::size_t i = 0; i < page.records.size(); ++i) {
    EXPECT_EQ(page.records[i].seq, i + 1);
  }
  auto v = call<audit::verify_result>(self_, node_.ctx().audit, verify_atom::value);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->reason;
  EXPECT_EQ(v->records, kClients * kEach + 1u);
}

TEST_F(AuditActorTest, ABatchCommitsWithItsRecord) {
  auto batch = std::make_shared<storage::write_batch>();
  batch->put_meta("probe", "yes");
  auto seq = call<uint64_t>(self_, node_.ctx().audit, append_atom::value,
                            audit::audit_entry{"x", "u", "s", "", "{}"}, batch);
  ASSERT_TRUE(seq);
  EXPECT_EQ(node_.db().get_meta("probe"), "yes");
  EXPECT_EQ(node_.db().read_audit(0, 10).records.size(), 1u);
}

TEST_F(AuditActorTest, ReadsPages) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(append("e"));
  }
  auto page = call<storage::audit_page>(self_, node_.ctx().audit, read_atom::value, uint64_t{2},
                                        uint32_t{2});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].seq, 3u);
  EXPECT_TRUE(page->has_more);
}

TEST_F(AuditActorTest, RoleChangesAreAuditedAndTheLastAdminStays) {
  EXPECT_EQ(role_of("ua"), "user");
  ASSERT_EQ(text(grant("operator", "ua", "admin")), "admin");
  EXPECT_EQ(role_of("ua"), "admin");
  EXPECT_EQ(node_.db().get_role("ua"), "admin");
  auto recs = node_.db().read_audit(0, 10).records;
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, "role.change");
  EXPECT_EQ(recs[0].actor_id, "operator");
  EXPECT_EQ(recs[0].subject, "ua");
  EXPECT_EQ(recs[0].address, "10.0.0.1");
  // Unchanged: no write.
  ASSERT_EQ(text(grant("ua", "ua", "admin")), "admin");
  EXPECT_EQ(node_.db().read_audit(0, 10).records.size(), 1u);
  EXPECT_EQ(error_code(grant("ua", "ua", "user")), api_errc::conflict);
  EXPECT_EQ(error_code(grant("ua", "ub", "root")), api_errc::invalid_request);
  ASSERT_EQ(text(grant("ua", "ub", "admin")), "admin");
  ASSERT_EQ(text(grant("ub", "ua", "user")), "user");
  EXPECT_EQ(role_of("ua"), "user");
  EXPECT_FALSE(node_.db().get_role("ua"));
  EXPECT_EQ(node_.db().read_audit(0, 10).records.size(), 3u);
}

TEST_F(AuditActorTest, RegistrationIsAudited) {
  storage::user_record u{"u9", "nina", "hash", 1};
  auto role = call<std::string>(self_, node_.ctx().access, register_atom::value, u,
                                std::string("192.0.2.1"));
  ASSERT_TRUE(role);
  EXPECT_EQ(*role, "user");
  auto recs = node_.db().read_audit(0, 10).records;
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, "auth.register");
  EXPECT_EQ(recs[0].detail, R"({"username":"nina"})");
}

}  // namespace
}  // namespace plexichat::actors
