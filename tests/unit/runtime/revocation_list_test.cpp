#include "runtime/revocation_list.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace plexichat::runtime {
namespace {

TEST(RevocationList, RevokedUntilPruned) {
  revocation_list list;
  EXPECT_FALSE(list.is_revoked("t1"));
  list.add("t1", 1000);
  list.add("t2", 5000);
  EXPECT_TRUE(list.is_revoked("t1"));
  EXPECT_TRUE(list.is_revoked("t2"));
  EXPECT_FALSE(list.is_revoked("t3"));
  EXPECT_EQ(list.size(), 2u);
  auto gone = list.prune(2000);
  EXPECT_EQ(gone, std::vector<std::string>{"t1"});
  EXPECT_FALSE(list.is_revoked("t1"));
  EXPECT_TRUE(list.is_revoked("t2"));
  EXPECT_TRUE(list.prune(5000).empty()) << "an entry expiring exactly now is kept";
}

TEST(RevocationList, ConcurrentReadersAndWriterSeeEveryAdd) {
  revocation_list list;
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        (void)list.is_revoked("t" + std::to_string(i));
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    list.add("t" + std::to_string(i), 10'000);
  }
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(list.size(), 2000u);
  EXPECT_TRUE(list.is_revoked("t1999"));
}

}  // namespace
}  // namespace plexichat::runtime
