#include "config/cidr.hpp"
#include "config/node_config.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace plexichat::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;

TEST(SecurityConfig, DefaultsAreGenerousAndValid) {
  const node_config cfg;
  EXPECT_FALSE(cfg.tls.enabled());
  EXPECT_TRUE(cfg.net.allow.empty());
  EXPECT_TRUE(cfg.net.deny.empty());
  EXPECT_EQ(cfg.rate_limits.address, (rate_config{100, 1000}));
  EXPECT_EQ(cfg.rate_limits.ws_frames, (rate_config{100, 1000}));
  EXPECT_EQ(cfg.login_throttle.account, (login_key_config{5, 10}));
  EXPECT_EQ(cfg.login_throttle.address, (login_key_config{20, 100}));
  EXPECT_EQ(cfg.login_throttle.lock, 15min);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(SecurityConfig, YamlReadsEveryKey) {
  const auto cfg = parse_yaml(R"(
tls: {certificate: /etc/pc/cert.pem, key: /etc/pc/key.pem}
net:
  allow: ["10.0.0.0/8", "fd00::/8"]
  deny: [10.1.2.3]
rate_limits:
  address: {rate: 5, burst: 7}
  user: {rate: 0, burst: 1}
  ws_frames: {rate: 9, burst: 11}
  max_tracked: 500
login_throttle:
  account: {free_failures: 2, lock_after: 3}
  address: {free_failures: 4, lock_after: 6}
  max_delay: 8s
  lock: 2s
  window: 1m
)");
  EXPECT_EQ(cfg.tls.certificate, "/etc/pc/cert.pem");
  EXPECT_EQ(cfg.tls.key, "/etc/pc/key.pem");
  EXPECT_EQ(cfg.net.allow, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(cfg.net.deny, (std::vector<std::string>{"10.1.2.3"}));
  EXPECT_EQ(cfg.rate_limits.address, (rate_config{5, 7}));
  EXPECT_EQ(cfg.rate_limits.user, (rate_config{0, 1}));
  EXPECT_EQ(cfg.rate_limits.ws_frames, (rate_config{9, 11}));
  EXPECT_EQ(cfg.rate_limits.max_tracked, 500u);
  EXPECT_EQ(cfg.login_throttle.account, (login_key_config{2, 3}));
  EXPECT_EQ(cfg.login_throttle.address, (login_key_config{4, 6}));
  EXPECT_EQ(cfg.login_throttle.max_delay, 8s);
  EXPECT_EQ(cfg.login_throttle.lock, 2s);
  EXPECT_EQ(cfg.login_throttle.window, 1min);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(SecurityConfig, YamlRefusesWrongShapesNamingTheKey) {
  EXPECT_EQ(error_of([] { parse_yaml("net: {allow: 10.0.0.0/8}"); }).key(), "net.allow");
  EXPECT_EQ(error_of([] { parse_yaml("rate_limits: {address: {rate: -1}}"); }).key(),
            "rate_limits.address.rate");
  EXPECT_EQ(error_of([] { parse_yaml("login_throttle: {lockout: 5m}"); }).key(),
            "login_throttle.lockout");
  EXPECT_EQ(error_of([] { parse_yaml("tls: {cert: x}"); }).key(), "tls.cert");
}

struct bad_case {
  std::string yaml;
  std::string key;
  std::string reason_part;
};

TEST(SecurityConfig, ValidationRefusesBadValuesWithClearMessages) {
  const std::vector<bad_case> cases{
      {"tls: {certificate: c.pem}", "tls.key", "together with tls.certificate"},
      {"tls: {key: k.pem}", "tls.certificate", "together with tls.key"},
      {"net: {allow: [10.0.0.300/8]}", "net.allow[0]", "not an IPv4 or IPv6 network"},
      {"net: {deny: [::1, fe80::/129]}", "net.deny[1]", "not an IPv4 or IPv6 network"},
      {"net: {deny: [10.0.0.1/8]}", "net.deny[0]", "did you mean 10.0.0.0/8"},
      {"net: {allow: [example.com]}", "net.allow[0]", "CIDR"},
      {"rate_limits: {address: {burst: 0}}", "rate_limits.address.burst", "between 1 and"},
      {"rate_limits: {user: {rate: 2000000}}", "rate_limits.user.rate", "got 2000000"},
      {"rate_limits: {max_tracked: 3}", "rate_limits.max_tracked", "between 16"},
      {"login_throttle: {account: {free_failures: 0}}", "login_throttle.account.free_failures",
       "between 1 and 100000, got 0"},
      {"login_throttle: {lock: 500ms}", "login_throttle.lock", "got 500ms"},
      {"login_throttle: {max_delay: 2d}", "login_throttle.max_delay", "between 1s and"},
  };
  for (const auto& c : cases) {
    const auto cfg = parse_yaml(c.yaml);
    const auto e = error_of([&] { validate(cfg); });
    EXPECT_EQ(e.key(), c.key) << c.yaml;
    EXPECT_NE(e.reason().find(c.reason_part), std::string::npos) << c.yaml << ": " << e.reason();
  }
}

TEST(SecurityConfig, NodeYamlDocumentsEveryNewKey) {
  std::ifstream in(PLEXICHAT_SOURCE_DIR "/config/node.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"\ntls:",
                          "\n  certificate:",
                          "\n  key:",
                          "\nnet:",
                          "\n  allow:",
                          "\n  deny:",
                          "\nrate_limits:",
                          "\n  address:",
                          "\n  user:",
                          "\n  ws_frames:",
                          "\n    rate:",
                          "\n    burst:",
                          "\n  max_tracked:",
                          "\nlogin_throttle:",
                          "\n  account:",
                          "\n    free_failures:",
                          "\n    lock_after:",
                          "\n  max_delay:",
                          "\n  lock:",
                          "\n  window:"}) {
    const auto at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    if (std::string(key).rfind("\n ", 0) == 0) {
      const auto line_start = text.rfind('\n', at - 1);
      EXPECT_NE(text.substr(line_start, at - line_start).find('#'), std::string::npos)
          << "no comment line before " << key;
    }
  }
}

}  // namespace
}  // namespace plexichat::config
