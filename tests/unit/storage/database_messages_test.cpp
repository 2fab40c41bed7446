// database: the message log (read_messages, last_seq) and idempotency nonces.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::storage {
namespace {

constexpr uint64_t max_seq = std::numeric_limits<uint64_t>::max();

message_record message(std::string channel, uint64_t seq, std::string nonce = "") {
  return {"m" + std::to_string(seq),
          std::move(channel),
          seq,
          "u1",
          "alice",
          "text " + std::to_string(seq),
          static_cast<int64_t>(seq * 10),
          std::move(nonce)};
}

class message_log : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = database::open(database_options{dir_.sub("db")});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }

  // Closes and opens the database again: what was written is then in table files only.
  void reopen() {
    db_.reset();
    auto opened = database::open(database_options{dir_.sub("db")});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }

  void put(const std::vector<message_record>& messages) {
    write_batch batch;
    for (const auto& m : messages) {
      batch.put_message(m);
    }
    auto st = db_->write(batch, true);
    ASSERT_TRUE(st.ok()) << st.message;
  }

  // Channel "a" holds seq 1..10; its neighbours "ab" and "" prefixes must never leak in.
  void put_ten() {
    std::vector<message_record> messages;
    for (uint64_t seq = 1; seq <= 10; ++seq) {
      messages.push_back(message("a", seq));
    }
    messages.push_back(message("ab", 0));
    messages.push_back(message("ab", 5));
    messages.push_back(message("A", max_seq));
    put(messages);
  }

  std::vector<uint64_t> seqs(std::optional<uint64_t> after, std::optional<uint64_t> before,
                             std::size_t limit, bool expect_more) {
    auto page = db_->read_messages("a", after, before, limit);
    EXPECT_EQ(page.has_more, expect_more);
    std::vector<uint64_t> out;
    for (const auto& m : page.messages) {
      EXPECT_EQ(m.channel_id, "a");
      EXPECT_EQ(m, message("a", m.seq));
      out.push_back(m.seq);
    }
    return out;
  }

  testing::temp_dir dir_;
  std::unique_ptr<database> db_;
};

using seq_list = std::vector<uint64_t>;

TEST_F(message_log, neither_bound_reads_the_newest) {
  put_ten();
  EXPECT_EQ(seqs({}, {}, 3, true), (seq_list{8, 9, 10}));
  EXPECT_EQ(seqs({}, {}, 9, true), (seq_list{2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(seqs({}, {}, 10, false), (seq_list{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(seqs({}, {}, 50, false).size(), 10u);
  EXPECT_EQ(seqs({}, {}, 0, true), (seq_list{10}));  // limit 0 reads one
}

TEST_F(message_log, after_reads_forward) {
  put_ten();
  EXPECT_EQ(seqs(0, {}, 3, true), (seq_list{1, 2, 3}));
  EXPECT_EQ(seqs(3, {}, 3, true), (seq_list{4, 5, 6}));
  EXPECT_EQ(seqs(7, {}, 3, false), (seq_list{8, 9, 10}));
  EXPECT_EQ(seqs(6, {}, 10, false), (seq_list{7, 8, 9, 10}));
  EXPECT_EQ(seqs(10, {}, 3, false), seq_list{});
  EXPECT_EQ(seqs(max_seq, {}, 3, false), seq_list{});
}

TEST_F(message_log, before_reads_backward_and_returns_ascending) {
  put_ten();
  EXPECT_EQ(seqs({}, 8, 3, true), (seq_list{5, 6, 7}));
  EXPECT_EQ(seqs({}, 4, 3, false), (seq_list{1, 2, 3}));
  EXPECT_EQ(seqs({}, 4, 5, false), (seq_list{1, 2, 3}));
  EXPECT_EQ(seqs({}, 100, 2, true), (seq_list{9, 10}));
  EXPECT_EQ(seqs({}, 1, 3, false), seq_list{});
  EXPECT_EQ(seqs({}, 0, 3, false), seq_list{});
}

TEST_F(message_log, both_bounds_read_between) {
  put_ten();
  EXPECT_EQ(seqs(2, 9, 3, true), (seq_list{3, 4, 5}));
  EXPECT_EQ(seqs(2, 9, 6, false), (seq_list{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(seqs(2, 9, 7, false), (seq_list{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(seqs(5, 7, 1, false), (seq_list{6}));
  EXPECT_EQ(seqs(5, 6, 3, false), seq_list{});
  EXPECT_EQ(seqs(5, 5, 3, false), seq_list{});
  EXPECT_EQ(seqs(9, 2, 3, false), seq_list{});
  EXPECT_EQ(seqs(0, max_seq, 2, true), (seq_list{1, 2}));
}

TEST_F(message_log, gaps_and_large_seqs_keep_numeric_order) {
  put({message("a", 1ULL << 40), message("a", 256), message("a", 2), message("a", max_seq),
       message("a", 1)});
  EXPECT_EQ(seqs({}, {}, 10, false), (seq_list{1, 2, 256, 1ULL << 40, max_seq}));
  EXPECT_EQ(seqs(2, {}, 2, true), (seq_list{256, 1ULL << 40}));
  EXPECT_EQ(seqs({}, max_seq, 2, true), (seq_list{256, 1ULL << 40}));
  EXPECT_EQ(seqs(1ULL << 40, {}, 5, false), (seq_list{max_seq}));
  EXPECT_EQ(db_->last_seq("a"), max_seq);
}

TEST_F(message_log, last_seq_stays_inside_the_channel) {
  EXPECT_EQ(db_->last_seq("a"), 0u);
  put({message("ab", 99), message("A", 7)});
  EXPECT_EQ(db_->last_seq("a"), 0u);
  EXPECT_TRUE(db_->read_messages("a", {}, {}, 5).messages.empty());
  EXPECT_FALSE(db_->read_messages("a", {}, {}, 5).has_more);
  put_ten();
  EXPECT_EQ(db_->last_seq("a"), 10u);
  EXPECT_EQ(db_->last_seq("ab"), 99u);
  EXPECT_EQ(db_->last_seq("A"), max_seq);
  EXPECT_EQ(db_->last_seq("b"), 0u);
}

TEST_F(message_log, nonces_are_written_with_their_message) {
  put({message("a", 1, "n-1"), message("a", 2), message("ab", 3, "n-1")});
  EXPECT_EQ(db_->find_nonce("a", "u1", "n-1"), (nonce_record{1, 10}));
  EXPECT_EQ(db_->find_nonce("ab", "u1", "n-1"), (nonce_record{3, 30}));
  EXPECT_FALSE(db_->find_nonce("a", "u2", "n-1"));
  EXPECT_FALSE(db_->find_nonce("a", "u1", ""));
}

TEST_F(message_log, nonces_can_be_deleted) {
  put({message("a", 1, "old"), message("a", 2, "mid")});
  write_batch cleanup;
  cleanup.delete_nonce("a", "u1", "mid");
  auto st = db_->write(cleanup, true);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_FALSE(db_->find_nonce("a", "u1", "mid"));
  EXPECT_EQ(db_->find_nonce("a", "u1", "old"), (nonce_record{1, 10}));
  EXPECT_EQ(db_->peek_nonce("a", "u1", "mid").state, nonce_peek::result::absent);
}

TEST_F(message_log, peek_nonce_answers_from_the_memtable) {
  put({message("a", 1, "n-1"), message("ab", 3, "n-1")});
  auto found = db_->peek_nonce("a", "u1", "n-1");
  EXPECT_EQ(found.state, nonce_peek::result::found);
  EXPECT_EQ(found.record, (nonce_record{1, 10}));
  EXPECT_EQ(db_->peek_nonce("a", "u2", "n-1").state, nonce_peek::result::absent);
  EXPECT_EQ(db_->peek_nonce("b", "u1", "n-1").state, nonce_peek::result::absent);
}

// After a restart everything is on disk: a peek finds a nonce in the block cache or says
// `unknown` (and find_nonce then reads it); it never says `absent` for a nonce that is
// stored, and the bloom filters let it say `absent` for ones that are not without a read.
TEST_F(message_log, peek_nonce_after_a_restart_never_misses_a_stored_nonce) {
  std::vector<message_record> batch;
  for (uint64_t seq = 1; seq <= 2000; ++seq) {
    batch.push_back(message("a", seq, "n-" + std::to_string(seq)));
  }
  put(batch);
  reopen();
  std::size_t absent = 0;
  for (uint64_t seq = 1; seq <= 2000; ++seq) {
    auto peek = db_->peek_nonce("a", "u1", "n-" + std::to_string(seq));
    ASSERT_NE(peek.state, nonce_peek::result::absent) << seq;
    if (peek.state == nonce_peek::result::found) {
      EXPECT_EQ(peek.record.seq, seq);
    } else {  // unknown: the disk has it
      EXPECT_EQ(db_->find_nonce("a", "u1", "n-" + std::to_string(seq)),
                (nonce_record{seq, static_cast<int64_t>(seq * 10)}));
    }
    absent +=
        db_->peek_nonce("a", "u1", "m-" + std::to_string(seq)).state == nonce_peek::result::absent;
  }
  EXPECT_GT(absent, 1900u) << "unknown nonces are mostly answered from the bloom filter";
}

TEST(nonce_expiry, compaction_drops_nonces_past_their_ttl_and_keeps_the_rest) {
  testing::temp_dir dir;
  database_options options{dir.sub("db")};
  options.nonce_ttl = std::chrono::hours{1};
  auto opened = database::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto db = std::move(opened).value();
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto old = message("a", 1, "old");
  old.created_at = now - 2 * 3600 * 1000;
  auto recent = message("a", 2, "recent");
  recent.created_at = now - 60 * 1000;
  write_batch batch;
  batch.put_message(old);
  batch.put_message(recent);
  ASSERT_TRUE(db->write(batch, true).ok());
  ASSERT_TRUE(db->compact().ok());
  EXPECT_FALSE(db->find_nonce("a", "u1", "old"));
  EXPECT_EQ(db->find_nonce("a", "u1", "recent"), (nonce_record{2, recent.created_at}));
  EXPECT_EQ(db->read_messages("a", {}, {}, 5).messages.size(), 2u) << "messages stay";
}

}  // namespace
}  // namespace plexichat::storage
