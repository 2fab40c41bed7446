#include "storage/database.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "storage/column_family.hpp"
#include "tests/unit/storage/temp_dir.hpp"

extern char** environ;

namespace plexichat::storage {
namespace {

constexpr const char* lock_holder_env = "PLEXICHAT_TEST_HOLD_LOCK";

// When started as a lock holder (see hold_lock_in_child), take RocksDB's kind of lock on the
// named file, report "L" on stdout and hold it until stdin closes. Runs before gtest's main.
[[maybe_unused]] const bool lock_holder_mode = [] {
  const char* file = std::getenv(lock_holder_env);
  if (file == nullptr) {
    return false;
  }
  int fd = ::open(file, O_RDWR);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fd < 0 || ::fcntl(fd, F_SETLK, &lock) != 0) {
    ::_exit(2);
  }
  char byte = 'L';
  if (::write(1, &byte, 1) != 1) {
    ::_exit(3);
  }
  while (::read(0, &byte, 1) > 0) {
  }
  ::_exit(0);
}();

// Another process holding `lock_file` the way RocksDB does, until destroyed.
class lock_holder {
 public:
  explicit lock_holder(const std::string& lock_file) {
    int to_child[2];
    int from_child[2];
    EXPECT_EQ(::pipe2(to_child, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(from_child, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    std::string env_entry = std::string(lock_holder_env) + "=" + lock_file;
    std::vector<char*> env{env_entry.data()};
    for (char** e = environ; *e != nullptr; ++e) {
      env.push_back(*e);
    }
    env.push_back(nullptr);
    char self[] = "/proc/self/exe";
    char* argv[] = {self, nullptr};
    EXPECT_EQ(::posix_spawn(&pid_, self, &actions, nullptr, argv, env.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_ = to_child[1];
    char byte = 0;
    locked_ = ::read(from_child[0], &byte, 1) == 1 && byte == 'L';
    ::close(from_child[0]);
  }
  ~lock_holder() {
    ::close(stdin_);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
  }
  bool locked() const { return locked_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool locked_ = false;
};

std::unique_ptr<database> open_ok(const std::string& path) {
  auto opened = database::open(database_options{path});
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

void write_ok(database& db, write_batch& batch, bool sync = true) {
  auto st = db.write(batch, sync);
  ASSERT_TRUE(st.ok()) << st.message;
}

user_record alice() {
  return {"u1", "alice", "hash-a", 1000};
}
channel_record general() {
  return {"c1", "general", "talk", false, "u1", 2000};
}

TEST(database, new_database_has_current_schema) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), current_schema_version);
  EXPECT_EQ(db->get_meta(schema_version_key), std::to_string(current_schema_version));
  EXPECT_EQ(db->sync_count(), 0u);
  EXPECT_FALSE(db->get_user("u1"));
  EXPECT_TRUE(db->list_channels().empty());
  EXPECT_EQ(db->last_seq("c1"), 0u);
}

TEST(database, reopen_keeps_data) {
  testing::temp_dir dir;
  {
    auto db = open_ok(dir.sub("db"));
    ASSERT_TRUE(db);
    write_batch batch;
    batch.put_user(alice());
    batch.put_channel(general());
    batch.add_member({"c1", "u1", 3000});
    batch.put_message({"m1", "c1", 1, "u1", "alice", "hi", 4000, "n1"});
    batch.revoke_token("jti-1", 5000);
    batch.put_meta("node_id", "node-7");
    write_ok(*db, batch);
    EXPECT_EQ(db->sync_count(), 1u);
  }
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(db->get_user("u1"), alice());
  EXPECT_EQ(db->find_user_id("alice"), "u1");
  EXPECT_EQ(db->get_channel("c1"), general());
  EXPECT_TRUE(db->is_member("c1", "u1"));
  EXPECT_EQ(db->last_seq("c1"), 1u);
  EXPECT_EQ(db->read_messages("c1", {}, {}, 10).messages.at(0).content, "hi");
  EXPECT_EQ(db->find_nonce("c1", "u1", "n1"), (nonce_record{1, 4000}));
  EXPECT_EQ(db->revocations(), (std::vector<std::pair<std::string, int64_t>>{{"jti-1", 5000}}));
  EXPECT_EQ(db->get_meta("node_id"), "node-7");
  EXPECT_EQ(db->sync_count(), 0u);
}

TEST(database, newer_schema_is_refused_with_a_clear_message) {
  testing::temp_dir dir;
  {
    auto db = open_ok(dir.sub("db"));
    ASSERT_TRUE(db);
    write_batch batch;
    batch.put_meta(schema_version_key, std::to_string(current_schema_version + 1));
    write_ok(*db, batch);
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto opened = database::open(database_options{dir.sub("db")});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, errc::newer_schema);
    EXPECT_NE(opened.error().message.find(
                  "data directory was written by a newer PlexiChat (schema 2, this build reads "
                  "up to 1)"),
              std::string::npos)
        << opened.error().message;
  }
}

TEST(database, unreadable_or_unknown_old_schema_is_corruption) {
  for (std::string stored : {"abc", "", "1x", "0"}) {
    testing::temp_dir dir;
    {
      auto db = open_ok(dir.sub("db"));
      ASSERT_TRUE(db);
      write_batch batch;
      batch.put_meta(schema_version_key, stored);
      write_ok(*db, batch);
    }
    auto opened = database::open(database_options{dir.sub("db")});
    ASSERT_FALSE(opened.ok()) << stored;
    EXPECT_EQ(opened.error().code, errc::corruption) << stored;
  }
}

TEST(database, second_open_in_this_process_is_locked) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  auto second = database::open(database_options{dir.sub("db")});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, errc::locked) << second.error().message;
  EXPECT_NE(second.error().message.find("locked"), std::string::npos);
  db.reset();
  EXPECT_TRUE(open_ok(dir.sub("db")));
}

TEST(database, open_while_another_process_holds_it_is_locked) {
  testing::temp_dir dir;
  ASSERT_TRUE(open_ok(dir.sub("db")));
  {
    lock_holder holder(dir.sub("db") + "/LOCK");
    ASSERT_TRUE(holder.locked());
    auto opened = database::open(database_options{dir.sub("db")});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, errc::locked) << opened.error().message;
    EXPECT_NE(opened.error().message.find(dir.sub("db")), std::string::npos);
  }
  EXPECT_TRUE(open_ok(dir.sub("db")));
}

TEST(database, bad_options_are_rejected) {
  auto empty = database::open(database_options{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, errc::invalid_argument);
  testing::temp_dir dir;
  database_options options{dir.sub("missing")};
  options.create_if_missing = false;
  auto missing = database::open(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::invalid_argument) << missing.error().message;
}

TEST(database, memberships_both_ways) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  write_batch batch;
  batch.add_member({"c1", "u2", 1});
  batch.add_member({"c1", "u1", 2});
  batch.add_member({"c2", "u1", 3});
  batch.add_member({"c10", "u3", 4});
  write_ok(*db, batch);
  EXPECT_EQ(db->channel_members("c1"), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(db->channel_members("c10"), (std::vector<std::string>{"u3"}));
  EXPECT_EQ(db->user_channels("u1"), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_TRUE(db->is_member("c2", "u1"));
  EXPECT_FALSE(db->is_member("c2", "u2"));
  write_batch removal;
  removal.remove_member("c1", "u1");
  write_ok(*db, removal);
  EXPECT_EQ(db->channel_members("c1"), (std::vector<std::string>{"u2"}));
  EXPECT_EQ(db->user_channels("u1"), (std::vector<std::string>{"c2"}));
  EXPECT_FALSE(db->is_member("c1", "u1"));
  EXPECT_TRUE(db->channel_members("nobody").empty());
}

TEST(database, users_channels_and_revocations) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  write_batch batch;
  batch.put_user(alice());
  batch.put_channel({"c2", "random", "", true, "u1", 7});
  batch.put_channel(general());
  batch.revoke_token("b", -5);
  batch.revoke_token("a", 99);
  write_ok(*db, batch, false);
  EXPECT_EQ(db->sync_count(), 0u);
  EXPECT_FALSE(db->find_user_id("Alice"));
  auto channels = db->list_channels();
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0], general());
  EXPECT_TRUE(channels[1].is_private);
  write_batch cleanup;
  cleanup.delete_revocation("a");
  write_ok(*db, cleanup);
  EXPECT_EQ(db->revocations(), (std::vector<std::pair<std::string, int64_t>>{{"b", -5}}));
}

TEST(database, several_batches_are_one_write) {
  testing::temp_dir dir;
  auto db = open_ok(dir.sub("db"));
  ASSERT_TRUE(db);
  write_batch first;
  first.put_user(alice());
  write_batch second;
  second.put_channel(general());
  std::vector<write_batch*> batches{&first, nullptr, &second};
  auto st = db->write(batches, true);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(db->sync_count(), 1u);
  EXPECT_TRUE(db->get_user("u1"));
  EXPECT_TRUE(db->get_channel("c1"));
  EXPECT_EQ(first.size(), 2u);  // batches are left as they were
}

TEST(database, write_batch_counts_and_moves) {
  write_batch batch;
  EXPECT_TRUE(batch.empty());
  batch.put_user(alice());
  batch.add_member({"c", "u", 0});
  batch.put_message({"m", "c", 1, "u", "a", "x", 0, ""});
  batch.put_message({"m", "c", 2, "u", "a", "x", 0, "n"});
  EXPECT_EQ(batch.size(), 7u);
  write_batch moved = std::move(batch);
  EXPECT_EQ(moved.size(), 7u);
  EXPECT_FALSE(moved.empty());
}

}  // namespace
}  // namespace plexichat::storage
