// auth.admins: parsing from YAML and validation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "tests/unit/config/error_of.hpp"

namespace plexichat::config {
namespace {

using test_support::error_of;

TEST(AdminsConfig, DefaultsToNone) {
  EXPECT_TRUE(node_config{}.auth.admins.empty());
  EXPECT_TRUE(parse_yaml("auth:\n  admins: []\n").auth.admins.empty());
  EXPECT_TRUE(parse_yaml("auth:\n  admins:\n").auth.admins.empty());
}

TEST(AdminsConfig, ReadsAListOfUsernames) {
  auto cfg = parse_yaml("auth:\n  admins: [alice, bob.ops]\n");
  EXPECT_EQ(cfg.auth.admins, (std::vector<std::string>{"alice", "bob.ops"}));
  EXPECT_NO_THROW(validate(cfg));
}

TEST(AdminsConfig, RefusesAScalarOrANestedList) {
  auto e = error_of([] { parse_yaml("auth:\n  admins: alice\n"); });
  EXPECT_EQ(e.key(), "auth.admins");
  e = error_of([] { parse_yaml("auth:\n  admins: [[alice]]\n"); });
  EXPECT_EQ(e.key(), "auth.admins[0]");
}

TEST(AdminsConfig, ValidatesEachName) {
  const std::vector<std::string> bads{"Alice", "al", "a b c", std::string(33, 'x')};
  for (const auto& bad : bads) {
    node_config cfg;
    cfg.auth.admins = {"alice", bad};
    auto e = error_of([&] { validate(cfg); });
    EXPECT_EQ(e.key(), "auth.admins[1]") << bad;
    EXPECT_NE(e.reason().find("lowercase username"), std::string::npos) << e.reason();
  }
  node_config cfg;
  cfg.auth.admins = {"alice", "alice"};
  auto e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "auth.admins[1]");
  EXPECT_NE(e.reason().find("repeats 'alice'"), std::string::npos) << e.reason();
}

}  // namespace
}  // namespace plexichat::config
