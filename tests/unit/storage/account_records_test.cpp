#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/database.hpp"
#include "storage/record_codec.hpp"
#include "tests/unit/storage/temp_dir.hpp"

// The account-security records: second-factor state and sessions, their encoding and their
// column families.
namespace plexichat::storage {
namespace {

mfa_record sample_mfa() {
  return {"u1",
          std::string("\x00\x01secret\xff", 9),
          true,
          56789,
          std::string(32, 'k'),
          {std::string(32, 'a'), std::string(32, '\0'), "short"},
          7};
}

session_record sample_session(std::string id, std::string user = "u1") {
  return {std::move(id), std::move(user), "curl/8.0 \"quoted\"", "127.0.0.1", 1000, 2000, 3000};
}

std::unique_ptr<database> open_ok(const std::string& path) {
  auto opened = database::open(database_options{path});
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(account_records, mfa_round_trips) {
  auto r = sample_mfa();
  EXPECT_EQ(decode_mfa(encode(r)), r);
  mfa_record empty{"u2", {}, false, -1, {}, {}};
  EXPECT_EQ(decode_mfa(encode(empty)), empty);
}

TEST(account_records, session_round_trips) {
  auto s = sample_session("t1");
  EXPECT_EQ(decode_session(encode(s)), s);
}

TEST(account_records, a_second_factor_record_from_before_versions_is_version_0) {
  auto r = sample_mfa();
  auto bytes = encode(r);
  // The version is the record's last 8 bytes; records written before it end without them.
  auto old = decode_mfa(bytes.substr(0, bytes.size() - 8));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version, 0);
  r.version = 0;
  EXPECT_EQ(old, r);
}

TEST(account_records, truncated_or_padded_records_do_not_decode) {
  auto bytes = encode(sample_mfa());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    if (n != bytes.size() - 8) {  // without the version: the older format
      EXPECT_FALSE(decode_mfa(bytes.substr(0, n))) << n;
    }
  }
  EXPECT_FALSE(decode_mfa(bytes + "x"));
  auto session = encode(sample_session("t1"));
  EXPECT_FALSE(decode_session(session.substr(0, session.size() - 1)));
  EXPECT_FALSE(decode_session(session + "x"));
}

TEST(account_records, a_huge_backup_code_count_is_refused) {
  mfa_record r{"u1", "s", true, 1, "k", {}};
  auto bytes = encode(r);
  // The count is the 8 bytes before the version in a record with no codes: claim 2^40 of them.
  bytes[bytes.size() - 14] = 1;
  EXPECT_FALSE(decode_mfa(bytes));
}

TEST(account_records, stored_and_read_back_by_user) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  EXPECT_FALSE(db->get_mfa("u1"));
  EXPECT_TRUE(db->user_sessions("u1").empty());
  write_batch batch;
  batch.put_mfa(sample_mfa());
  batch.put_session(sample_session("t2"));
  batch.put_session(sample_session("t1"));
  batch.put_session(sample_session("t3", "u10"));
  ASSERT_TRUE(db->write(batch, true).ok());
  EXPECT_EQ(db->get_mfa("u1"), sample_mfa());
  auto sessions = db->user_sessions("u1");
  ASSERT_EQ(sessions.size(), 2u) << "u10's session is not u1's";
  EXPECT_EQ(sessions[0], sample_session("t1"));
  EXPECT_EQ(sessions[1], sample_session("t2"));

  write_batch erase;
  erase.delete_session("u1", "t1");
  erase.delete_mfa("u1");
  ASSERT_TRUE(db->write(erase, true).ok());
  EXPECT_FALSE(db->get_mfa("u1"));
  ASSERT_EQ(db->user_sessions("u1").size(), 1u);
  EXPECT_EQ(db->user_sessions("u10").size(), 1u);
}

TEST(account_records, survive_a_reopen) {
  testing::temp_dir dir;
  {
    auto db = open_ok(dir.sub("db"));
    ASSERT_TRUE(db);
    write_batch batch;
    batch.put_mfa(sample_mfa());
    batch.put_session(sample_session("t1"));
    ASSERT_TRUE(db->write(batch, true).ok());
  }
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(db->get_mfa("u1"), sample_mfa());
  EXPECT_EQ(db->user_sessions("u1").size(), 1u);
}

}  // namespace
}  // namespace plexichat::storage
