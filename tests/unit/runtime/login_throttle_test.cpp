#include "runtime/login_throttle.hpp"

#include <gtest/gtest.h>

#include "config/node_config.hpp"
#include "runtime/request_limits.hpp"
#include "tests/unit/runtime/manual_clock.hpp"

namespace plexichat::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test_support::manual_clock;

login_throttle_rules small_rules() {
  login_throttle_rules r;
  r.free_failures = 3;
  r.lock_after = 6;
  r.max_delay = milliseconds{4000};
  r.lock = milliseconds{60000};
  r.window = milliseconds{600000};
  r.capacity = 100;
  return r;
}

/// Admits and fails one attempt; returns whether that locked the key.
bool fail_once(login_throttle& t, const std::string& key) {
  EXPECT_EQ(t.admit(key), std::nullopt) << key;
  return t.failed(key);
}

TEST(LoginThrottle, FreeFailuresThenGrowingDelaysUpToTheCap) {
  manual_clock clock;
  auto rules = small_rules();
  rules.lock_after = 10;
  login_throttle t{rules, clock.fn()};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(fail_once(t, "alice"));
  }
  // After 3 failures: 1 s, then 2 s, then 4 s (the cap), each after the previous attempt.
  for (long expected : {1000L, 2000L, 4000L, 4000L}) {
    auto wait = t.admit("alice");
    ASSERT_TRUE(wait) << expected;
    EXPECT_EQ(*wait, milliseconds{expected});
    clock.advance(milliseconds{expected - 1});
    EXPECT_TRUE(t.admit("alice")) << "still too early";
    clock.advance(milliseconds{1});
    EXPECT_FALSE(fail_once(t, "alice"));
  }
}

TEST(LoginThrottle, LockEngagesAfterLockAfterFailuresAndReleasesByItself) {
  manual_clock clock;
  login_throttle t{small_rules(), clock.fn()};
  int locks = 0;
  for (int i = 0; i < 6; ++i) {
    while (auto wait = t.admit("bob")) {
      clock.advance(*wait);
    }
    locks += t.failed("bob") ? 1 : 0;
  }
  EXPECT_EQ(locks, 1);
  auto wait = t.admit("bob");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, milliseconds{60000});
  clock.advance(milliseconds{59999});
  EXPECT_TRUE(t.admit("bob"));
  clock.advance(milliseconds{1});
  EXPECT_EQ(t.admit("bob"), std::nullopt) << "the lock is over";
  t.succeeded("bob");
  // Afresh: the free failures are back.
  EXPECT_FALSE(fail_once(t, "bob"));
  EXPECT_EQ(t.admit("bob"), std::nullopt);
}

TEST(LoginThrottle, SuccessClearsTheFailures) {
  manual_clock clock;
  login_throttle t{small_rules(), clock.fn()};
  for (int i = 0; i < 3; ++i) {
    fail_once(t, "carol");
  }
  clock.advance(milliseconds{1000});
  ASSERT_EQ(t.admit("carol"), std::nullopt);
  t.succeeded("carol");
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(fail_once(t, "carol")) << i;
  }
}

TEST(LoginThrottle, ParallelAttemptsCountFromAdmission) {
  manual_clock clock;
  login_throttle t{small_rules(), clock.fn()};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.admit("dave"), std::nullopt);
  }
  EXPECT_TRUE(t.admit("dave")) << "three guesses in flight use up the free failures";
  t.abandoned("dave");  // one of them was not a password check after all
  EXPECT_EQ(t.admit("dave"), std::nullopt);
}

TEST(LoginThrottle, QuietWindowForgetsFailures) {
  manual_clock clock;
  login_throttle t{small_rules(), clock.fn()};
  for (int i = 0; i < 3; ++i) {
    fail_once(t, "erin");
  }
  clock.advance(milliseconds{600000});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(fail_once(t, "erin")) << i;
  }
}

TEST(LoginThrottle, KeysAreIndependentAndMemoryIsBounded) {
  manual_clock clock;
  auto rules = small_rules();
  rules.capacity = 32;
  login_throttle t{rules, clock.fn()};
  for (int i = 0; i < 3; ++i) {
    fail_once(t, "victim");
  }
  EXPECT_TRUE(t.admit("victim"));
  EXPECT_EQ(t.admit("someone-else"), std::nullopt);
  t.abandoned("someone-else");
  for (int i = 0; i < 5000; ++i) {
    fail_once(t, "guess-" + std::to_string(i));
    ASSERT_LE(t.size(), 32u);
  }
}

config::node_config throttle_config() {
  config::node_config cfg;
  cfg.login_throttle.account = {2, 4};
  cfg.login_throttle.address = {100, 1000};
  cfg.login_throttle.lock = milliseconds{2000};
  return cfg;
}

/// The Retry-After answers of a run of failed logins for `user`, stepping the clock by
/// each wait.
std::vector<long> failing_run(request_limits& limits, const manual_clock& clock,
                              const std::string& user) {
  std::vector<long> answers;
  for (int i = 0; i < 8; ++i) {
    if (auto wait = limits.admit_login(user, "10.0.0.1")) {
      answers.push_back(*wait);
      clock.advance(seconds{*wait});
      continue;
    }
    answers.push_back(0);
    limits.finish_login(user, "10.0.0.1", login_outcome::failed);
  }
  return answers;
}

TEST(RequestLimits, UnknownAndKnownUsernamesGetTheSameAnswers) {
  // The limits never learn whether a user exists: a run of failures for a registered name
  // and for a name nobody has give the same waits and locks.
  node_metrics metrics;
  manual_clock clock;
  request_limits limits{throttle_config(), metrics, clock.fn()};
  auto known = failing_run(limits, clock, "registered");
  auto unknown = failing_run(limits, clock, "nobody-has-this");
  EXPECT_EQ(known, unknown);
  EXPECT_EQ(known, (std::vector<long>{0, 0, 1, 0, 2, 0, 2, 0})) << "lock of 2 s after 4";
  EXPECT_NE(metrics.render().find("plexichat_login_locks_total 2"), std::string::npos);
}

TEST(RequestLimits, AddressLockRefusesEveryUsernameAndSuccessDoesNotClearIt) {
  node_metrics metrics;
  manual_clock clock;
  auto cfg = throttle_config();
  cfg.login_throttle.address = {2, 3};
  request_limits limits{cfg, metrics, clock.fn()};
  for (int i = 0; i < 3; ++i) {
    const auto user = "u" + std::to_string(i);
    while (auto wait = limits.admit_login(user, "10.0.0.9")) {
      clock.advance(seconds{*wait});
    }
    limits.finish_login(user, "10.0.0.9", login_outcome::failed);
  }
  EXPECT_TRUE(limits.admit_login("fresh", "10.0.0.9"));
  EXPECT_EQ(limits.admit_login("fresh", "10.0.0.10"), std::nullopt);
  limits.finish_login("fresh", "10.0.0.10", login_outcome::succeeded);
  EXPECT_NE(metrics.render().find("scope=\"login_address\"} 2"), std::string::npos);
}

TEST(RequestLimits, RateZeroDisablesAScope) {
  node_metrics metrics;
  config::node_config cfg;
  cfg.rate_limits.address = {0, 1};
  cfg.rate_limits.user = {1, 1};
  request_limits limits{cfg, metrics};
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(limits.take_address("10.0.0.1"), std::nullopt);
  }
  EXPECT_EQ(limits.take_user("u"), std::nullopt);
  EXPECT_EQ(limits.take_user("u"), 1);
  EXPECT_NE(metrics.render().find("scope=\"user\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace plexichat::runtime
