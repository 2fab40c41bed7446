#include "actors/directory/session_book.hpp"

#include <gtest/gtest.h>

// The directory's sessions and their lazily persisted last use.
namespace plexichat::actors::directory {
namespace {

constexpr int64_t kMinute = session_persist_interval_ms;
constexpr int64_t kT0 = 1'700'000'000'000 / kMinute * kMinute;  // a minute's start

storage::session_record session(std::string id, int64_t created, std::string user = "u1") {
  return {std::move(id), std::move(user), "agent", "127.0.0.1", created, created, kT0 + 3600'000};
}

TEST(session_book, touch_persists_at_most_once_a_minute) {
  session_book book;
  book.add(session("t1", kT0));
  EXPECT_FALSE(book.touch("u1", "t1", kT0 + 1000));
  EXPECT_FALSE(book.touch("u1", "t1", kT0 + kMinute - 1));
  auto due = book.touch("u1", "t1", kT0 + kMinute);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->last_used_at, kT0 + kMinute);
  EXPECT_FALSE(book.touch("u1", "t1", kT0 + kMinute + 5000));
  EXPECT_TRUE(book.touch("u1", "t1", kT0 + 5 * kMinute));
  // The in-memory value is the latest use even when it was not written.
  book.touch("u1", "t1", kT0 + 5 * kMinute + 7);
  EXPECT_EQ(book.live("u1", kT0)[0].last_used_at, kT0 + 5 * kMinute + 7);
}

TEST(session_book, touching_unknown_sessions_does_nothing) {
  session_book book;
  book.add(session("t1", kT0));
  EXPECT_FALSE(book.touch("u2", "t1", kT0 + 10 * kMinute));
  EXPECT_FALSE(book.touch("u1", "t9", kT0 + 10 * kMinute));
  EXPECT_FALSE(book.has("u2", "t1"));
}

TEST(session_book, live_lists_unexpired_sessions_oldest_first) {
  session_book book;
  book.add(session("t2", kT0 + 2));
  book.add(session("t1", kT0 + 1));
  auto expiring = session("t3", kT0);
  expiring.expires_at = kT0 + 10;
  book.add(expiring);
  book.add(session("t4", kT0, "u2"));
  auto live = book.live("u1", kT0 + 10);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].id, "t1");
  EXPECT_EQ(live[1].id, "t2");
  EXPECT_FALSE(book.has("u1", "t3")) << "expired sessions are forgotten";
  EXPECT_TRUE(book.live("u3", kT0).empty());
}

TEST(session_book, remove_takes_only_the_users_own_session) {
  session_book book;
  book.add(session("t1", kT0));
  book.add(session("t2", kT0, "u2"));
  EXPECT_FALSE(book.remove("u1", "t2"));
  EXPECT_TRUE(book.has("u2", "t2"));
  auto gone = book.remove("u1", "t1");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->id, "t1");
  EXPECT_FALSE(book.remove("u1", "t1"));
  EXPECT_TRUE(book.live("u1", kT0).empty());
}

TEST(session_book, load_merges_stored_sessions) {
  session_book book;
  EXPECT_FALSE(book.loaded("u1"));
  book.add(session("t1", kT0));
  book.touch("u1", "t1", kT0 + 30'000);
  auto stored_t1 = session("t1", kT0);
  stored_t1.last_used_at = kT0 + 10'000;
  book.load("u1", {stored_t1, session("t0", kT0 - 5)});
  EXPECT_TRUE(book.loaded("u1"));
  auto live = book.live("u1", kT0);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].id, "t0");
  EXPECT_EQ(live[1].last_used_at, kT0 + 30'000) << "the newer in-memory use wins";
  // A stored session counts as persisted at its stored last use.
  EXPECT_FALSE(book.touch("u1", "t0", kT0 - 1)) << "same minute as the stored last use";
  EXPECT_TRUE(book.touch("u1", "t0", kT0 + 1000));
}

}  // namespace
}  // namespace plexichat::actors::directory
