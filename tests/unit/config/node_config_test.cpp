#include "config/node_config.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace plexichat::config {
namespace {

using namespace std::chrono_literals;

using test_support::error_of;

struct bad_case {
  std::string key;
  std::string reason_part;
  std::function<void(node_config&)> change;
};

TEST(NodeConfig, DefaultsAreTheDocumentedOnes) {
  const node_config cfg;
  EXPECT_EQ(cfg.name, "plexichat");
  EXPECT_EQ(cfg.data_dir, "./data");
  EXPECT_EQ(cfg.listen, (host_port{"127.0.0.1", 8080}));
  EXPECT_FALSE(cfg.cluster_listen.has_value());
  EXPECT_TRUE(cfg.seeds.empty());
  EXPECT_FALSE(cfg.insecure);
  EXPECT_EQ(cfg.limits.max_body_bytes, 1u << 20);
  EXPECT_EQ(cfg.limits.auth_timeout, 10s);
  EXPECT_EQ(cfg.auth.token_ttl, 7 * 24h);
  EXPECT_EQ(cfg.channels.nonce_ttl, 24h);
  EXPECT_EQ(cfg.channels.fan_out_max_hold, 20ms);
  EXPECT_EQ(cfg.channels.fan_out_turns, 8u);
  EXPECT_EQ(cfg.storage.sync_interval, 5ms);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(NodeConfig, EffectiveThreadsResolveZeroToAtLeastOne) {
  thread_config threads;
  EXPECT_GE(threads.effective_scheduler(), 1u);
  EXPECT_GE(threads.effective_io(), 1u);
  threads.scheduler = 3;
  threads.io = 5;
  EXPECT_EQ(threads.effective_scheduler(), 3u);
  EXPECT_EQ(threads.effective_io(), 5u);
}

TEST(NodeConfig, ExampleErrorMessageFormat) {
  node_config cfg;
  cfg.limits.max_body_bytes = 12;
  EXPECT_STREQ(error_of([&] { validate(cfg); }).what(),
               "config: limits.max_body_bytes: must be between 1024 and 67108864, got 12");
}

TEST(NodeConfig, EachBadValueNamesItsKey) {
  const std::vector<bad_case> cases{
      {"name", "[A-Za-z0-9_.-]", [](auto& c) { c.name = ""; }},
      {"name", "got 'a b'", [](auto& c) { c.name = "a b"; }},
      {"name", "1 to 64", [](auto& c) { c.name = std::string(65, 'n'); }},
      {"data_dir", "must not be empty", [](auto& c) { c.data_dir = ""; }},
      {"listen", "got 0", [](auto& c) { c.listen.port = 0; }},
      {"listen", "host", [](auto& c) { c.listen.host = ""; }},
      {"log.level", "got 'verbose'", [](auto& c) { c.log.level = "verbose"; }},
      {"log.level", "trace, debug, info", [](auto& c) { c.log.level = "INFO"; }},
      {"threads.scheduler", "got 1025", [](auto& c) { c.threads.scheduler = 1025; }},
      {"threads.io", "got 5000", [](auto& c) { c.threads.io = 5000; }},
      {"limits.max_header_bytes", "got 100", [](auto& c) { c.limits.max_header_bytes = 100; }},
      {"limits.max_frame_bytes", "got 1023", [](auto& c) { c.limits.max_frame_bytes = 1023; }},
      {"limits.max_json_depth", "got 1", [](auto& c) { c.limits.max_json_depth = 1; }},
      {"limits.max_json_depth", "got 257", [](auto& c) { c.limits.max_json_depth = 257; }},
      {"limits.auth_timeout", "got 5ms", [](auto& c) { c.limits.auth_timeout = 5ms; }},
      {"limits.auth_timeout", "and 1h, got 2h", [](auto& c) { c.limits.auth_timeout = 2h; }},
      {"limits.http_idle_timeout", "got 0ms", [](auto& c) { c.limits.http_idle_timeout = 0ms; }},
      {"limits.ws_idle_timeout", "got 99ms", [](auto& c) { c.limits.ws_idle_timeout = 99ms; }},
      {"limits.outbound_queue_frames", "got 0",
       [](auto& c) { c.limits.outbound_queue_frames = 0; }},
      {"limits.max_connections", "got 0", [](auto& c) { c.limits.max_connections = 0; }},
      {"limits.max_message_chars", "got 0", [](auto& c) { c.limits.max_message_chars = 0; }},
      {"limits.max_channel_name_chars", "got 0",
       [](auto& c) { c.limits.max_channel_name_chars = 0; }},
      {"limits.max_topic_chars", "got 65537", [](auto& c) { c.limits.max_topic_chars = 65537; }},
      {"limits.min_password_chars", "got 0", [](auto& c) { c.limits.min_password_chars = 0; }},
      {"limits.max_password_bytes", "got 0", [](auto& c) { c.limits.max_password_bytes = 0; }},
      {"limits.history_max_limit", "got 0", [](auto& c) { c.limits.history_max_limit = 0; }},
      {"limits.history_default_limit", "got 0",
       [](auto& c) { c.limits.history_default_limit = 0; }},
      {"auth.token_ttl", "got 0ms", [](auto& c) { c.auth.token_ttl = 0s; }},
      {"auth.password_hash_cost", "got 'cheap'",
       [](auto& c) { c.auth.password_hash_cost = "cheap"; }},
      {"channels.idle_stop", "got 1ms", [](auto& c) { c.channels.idle_stop = 1ms; }},
      {"channels.nonce_ttl", "and 365d, got 366d",
       [](auto& c) { c.channels.nonce_ttl = 366 * 24h; }},
      {"channels.fan_out_max_hold", "and 1s, got 2s",
       [](auto& c) { c.channels.fan_out_max_hold = 2s; }},
      {"channels.fan_out_turns", "got 0", [](auto& c) { c.channels.fan_out_turns = 0; }},
      {"channels.fan_out_turns", "and 8, got 9", [](auto& c) { c.channels.fan_out_turns = 9; }},
      {"storage.sync_interval", "and 100ms, got 101ms",
       [](auto& c) { c.storage.sync_interval = 101ms; }},
  };
  for (const auto& bad : cases) {
    node_config cfg;
    bad.change(cfg);
    const config_error e = error_of([&] { validate(cfg); });
    EXPECT_EQ(e.key(), bad.key) << e.what();
    EXPECT_NE(e.reason().find(bad.reason_part), std::string::npos)
        << "want '" << bad.reason_part << "' in: " << e.what();
    EXPECT_EQ(std::string(e.what()), "config: " + bad.key + ": " + e.reason());
  }
}

TEST(NodeConfig, RangeBoundsAreInclusive) {
  node_config cfg;
  cfg.limits.max_body_bytes = 64u << 20;
  cfg.limits.max_frame_bytes = 64u << 20;
  cfg.limits.max_json_depth = 2;
  cfg.limits.auth_timeout = 10ms;
  cfg.limits.max_topic_chars = 0;
  cfg.threads.scheduler = 1024;
  cfg.auth.token_ttl = 1s;
  cfg.auth.password_hash_cost = "min";
  cfg.log.level = "off";
  cfg.name = "Node_1.eu-west";
  EXPECT_NO_THROW(validate(cfg));
  cfg.limits.max_body_bytes += 1;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "limits.max_body_bytes");
}

TEST(NodeConfig, HistoryDefaultMustNotExceedMax) {
  node_config cfg;
  cfg.limits.history_max_limit = 100;
  cfg.limits.history_default_limit = 100;
  EXPECT_NO_THROW(validate(cfg));
  cfg.limits.history_default_limit = 101;
  const config_error e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "limits.history_default_limit");
  EXPECT_NE(e.reason().find("limits.history_max_limit (100), got 101"), std::string::npos)
      << e.what();
}

TEST(NodeConfig, PasswordBoundsMustBeOrdered) {
  node_config cfg;
  cfg.limits.min_password_chars = 20;
  cfg.limits.max_password_bytes = 19;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "limits.min_password_chars");
}

TEST(NodeConfig, FrameAndBodyMustHoldTheLongestMessage) {
  node_config cfg;
  cfg.limits.max_message_chars = 20000;  // needs 20000 * 4 + 1024 bytes
  const config_error e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "limits.max_frame_bytes");
  EXPECT_NE(e.reason().find("at least 81024, got 65536"), std::string::npos) << e.what();
  cfg.limits.max_frame_bytes = 81024;
  EXPECT_NO_THROW(validate(cfg));
  cfg.limits.max_body_bytes = 81023;
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "limits.max_body_bytes");
}

TEST(NodeConfig, ClusterNeedsTlsOrInsecure) {
  node_config cfg;
  cfg.cluster_listen = host_port{"127.0.0.1", 7000};
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "certs_dir");
  cfg.insecure = true;
  EXPECT_NO_THROW(validate(cfg));
  cfg.certs_dir = "/etc/plexichat/certs";
  const config_error e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "insecure");
  EXPECT_NE(e.reason().find("certs_dir"), std::string::npos);
  cfg.insecure = false;
  EXPECT_NO_THROW(validate(cfg));
}

TEST(NodeConfig, ClusterListenerMustBeValidAndDistinct) {
  node_config cfg;
  cfg.insecure = true;
  cfg.cluster_listen = host_port{"127.0.0.1", 0};
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "cluster_listen");
  cfg.cluster_listen = cfg.listen;
  const config_error e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "cluster_listen");
  EXPECT_NE(e.reason().find("must differ from listen"), std::string::npos);
  cfg.cluster_listen = host_port{"::1", cfg.listen.port};
  EXPECT_NO_THROW(validate(cfg));
}

TEST(NodeConfig, SeedsNeedClusterListenValidPortsAndNoRepeats) {
  node_config cfg;
  cfg.seeds = {{"10.0.0.2", 7000}};
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "seeds");
  cfg.insecure = true;
  cfg.cluster_listen = host_port{"10.0.0.1", 7000};
  cfg.seeds = {{"10.0.0.1", 7000}, {"10.0.0.2", 7000}};  // may list this node itself
  EXPECT_NO_THROW(validate(cfg));
  cfg.seeds.push_back({"10.0.0.3", 0});
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "seeds[2]");
  cfg.seeds.back() = {"10.0.0.2", 7000};
  const config_error e = error_of([&] { validate(cfg); });
  EXPECT_EQ(e.key(), "seeds[2]");
  EXPECT_NE(e.reason().find("repeats 10.0.0.2:7000"), std::string::npos) << e.what();
}

TEST(NodeConfig, EqualityComparesEveryField) {
  node_config a;
  node_config b;
  EXPECT_EQ(a, b);
  b.channels.idle_stop = 1s;
  EXPECT_NE(a, b);
  b = a;
  b.cluster_listen = host_port{"x", 1};
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace plexichat::config
