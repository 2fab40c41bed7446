// When the backup coordinator repairs on its own: a remembered holder is gone and k + m
// live peers can take its shards.
#include "actors/backup/repair_watch.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::backup {
namespace {

using names = std::vector<std::string>;

TEST(repair_watch, nothing_to_do_before_a_backup) {
  repair_watch w{4};
  EXPECT_FALSE(w.watching());
  EXPECT_TRUE(w.lost({"b", "c", "d", "e"}).empty());
}

TEST(repair_watch, a_lost_holder_asks_for_a_repair_once_enough_peers_are_live) {
  repair_watch w{4};
  w.whole({"b", "c", "d", "e", "f"});
  EXPECT_TRUE(w.lost({"b", "c", "d", "e", "f"}).empty());
  EXPECT_EQ(w.lost({"b", "c", "e", "f"}), (names{"d"}));
  // Three live peers cannot take the shards of four distinct holders: wait.
  EXPECT_TRUE(w.lost({"b", "c", "e"}).empty());
  // A new peer joining is no loss; once repaired, the loss is forgotten.
  w.whole({"b", "c", "e", "f", "g"});
  EXPECT_TRUE(w.lost({"b", "c", "e", "f", "g"}).empty());
  // The lost one coming back is no loss either.
  EXPECT_TRUE(w.lost({"b", "c", "d", "e", "f", "g"}).empty());
}

}  // namespace
}  // namespace plexichat::actors::backup
