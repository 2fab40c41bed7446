// The audit log's MAC: keyed BLAKE2b and its key file in the data directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "runtime/crypto.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::runtime {
namespace {

using storage::testing::temp_dir;

TEST(KeyedHash, IsThirtyTwoBytesAndDependsOnKeyAndData) {
  const std::string key(32, 'k');
  auto h = keyed_hash(key, "data");
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h, keyed_hash(key, "data"));
  EXPECT_NE(h, keyed_hash(key, "datb"));
  EXPECT_NE(h, keyed_hash(std::string(32, 'j'), "data"));
  EXPECT_NE(h, keyed_hash(key, ""));
}

TEST(KeyedHash, RefusesKeysOutsideSixteenToSixtyFourBytes) {
  // An unkeyed or badly keyed "MAC" would be forgeable: it is an empty string instead.
  EXPECT_EQ(keyed_hash("", "abc"), "");
  EXPECT_EQ(keyed_hash(std::string(15, 'k'), "abc"), "");
  EXPECT_EQ(keyed_hash(std::string(65, 'k'), "abc"), "");
  EXPECT_EQ(keyed_hash(std::string(16, 'k'), "abc").size(), 32u);
  EXPECT_EQ(keyed_hash(std::string(64, 'k'), "abc").size(), 32u);
}

TEST(MacKeyFile, IsCreatedOnceWithMode0600AndReloaded) {
  temp_dir dir;
  auto path = dir.sub("audit.key");
  EXPECT_FALSE(load_mac_key(path).key);
  auto created = load_or_create_mac_key(path);
  ASSERT_TRUE(created.key) << created.error;
  EXPECT_EQ(created.key->size(), mac_key_bytes);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_or_create_mac_key(path).key, created.key);
  EXPECT_EQ(load_mac_key(path).key, created.key);
}

TEST(MacKeyFile, RefusesABadFile) {
  temp_dir dir;
  auto path = dir.sub("audit.key");
  { std::ofstream(path) << "short"; }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto r = load_or_create_mac_key(path);
  EXPECT_FALSE(r.key);
  EXPECT_NE(r.error.find("has 5 bytes"), std::string::npos) << r.error;
  std::filesystem::resize_file(path, 32);
  std::filesystem::permissions(path, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  r = load_or_create_mac_key(path);
  EXPECT_FALSE(r.key);
  EXPECT_NE(r.error.find("chmod 600"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace plexichat::runtime
