#include "runtime/files.hpp"

#include <filesystem>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace plexichat::runtime {
namespace {

namespace fs = std::filesystem;

class files_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plexichat-files-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_F(files_test, writes_with_exact_mode_and_reads_back) {
  auto old = ::umask(0077);
  EXPECT_EQ(write_new_file((dir_ / "a").string(), "hello", 0644), "");
  ::umask(old);
  EXPECT_EQ(mode_of(dir_ / "a"), 0644u);
  std::string err;
  EXPECT_EQ(read_whole_file((dir_ / "a").string(), err), std::string("hello"));
  EXPECT_EQ(write_new_file((dir_ / "k").string(), std::string(3, '\0'), 0600), "");
  EXPECT_EQ(mode_of(dir_ / "k"), 0600u);
  EXPECT_EQ(read_whole_file((dir_ / "k").string(), err), std::string(3, '\0'));
}

TEST_F(files_test, never_replaces_an_existing_file) {
  ASSERT_EQ(write_new_file((dir_ / "a").string(), "one", 0600), "");
  auto e = write_new_file((dir_ / "a").string(), "two", 0600);
  EXPECT_NE(e.find("already exists"), std::string::npos) << e;
  std::string err;
  EXPECT_EQ(read_whole_file((dir_ / "a").string(), err), std::string("one"));
}

TEST_F(files_test, errors_name_the_path) {
  auto e = write_new_file((dir_ / "missing" / "a").string(), "x", 0600);
  EXPECT_NE(e.find("missing/a"), std::string::npos) << e;
  std::string err;
  EXPECT_FALSE(read_whole_file((dir_ / "nope").string(), err));
  EXPECT_NE(err.find("nope"), std::string::npos) << err;
}

}  // namespace
}  // namespace plexichat::runtime
