#include <gtest/gtest.h>
#include <unistd.h>
#include "tests/unit/config/error_of.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include "config/node_config.hpp"

namespace plexichat::config {
namespace {

using namespace std::chrono_literals;

using test_support::error_of;

config_error yaml_error(const std::string& text) {
  return error_of([&] { parse_yaml(text); });
}

/// A fresh directory under the system temp dir, removed at the end of the test.
class YamlFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "config_yaml_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST(YamlLoader, EmptyTextGivesDefaults) {
  EXPECT_EQ(parse_yaml(""), node_config{});
  EXPECT_EQ(parse_yaml("# only a comment\n"), node_config{});
  EXPECT_EQ(parse_yaml("limits:\n  # all commented out\n"), node_config{});
}

TEST(YamlLoader, ExampleNodeYamlEqualsTheDefaults) {
  const node_config example = load_yaml_file(PLEXICHAT_SOURCE_DIR "/config/node.yaml");
  EXPECT_EQ(example, node_config{});
  EXPECT_NO_THROW(validate(example));
}

TEST(YamlLoader, ExampleNodeYamlDocumentsEveryKey) {
  std::ifstream in(PLEXICHAT_SOURCE_DIR "/config/node.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"name:",
                          "data_dir:",
                          "listen:",
                          "cluster_listen:",
                          "seeds:",
                          "certs_dir:",
                          "insecure:",
                          "level:",
                          "scheduler:",
                          "io:",
                          "max_body_bytes:",
                          "max_header_bytes:",
                          "max_frame_bytes:",
                          "max_json_depth:",
                          "auth_timeout:",
                          "http_idle_timeout:",
                          "outbound_queue_frames:",
                          "max_connections:",
                          "max_message_chars:",
                          "max_channel_name_chars:",
                          "max_topic_chars:",
                          "min_password_chars:",
                          "max_password_bytes:",
                          "history_max_limit:",
                          "history_default_limit:",
                          "token_ttl:",
                          "password_hash_cost:",
                          "admins:",
                          "idle_stop:",
                          "nonce_ttl:",
                          "fan_out_max_hold:",
                          "fan_out_turns:",
                          "sync_interval:"}) {
    const auto at = text.find("\n  " + std::string(key)) != std::string::npos
                        ? text.find("\n  " + std::string(key))
                        : text.find("\n" + std::string(key));
    ASSERT_NE(at, std::string::npos) << key;
    // The line before each key is its comment.
    const auto line_start = text.rfind('\n', at - 1);
    EXPECT_NE(text.substr(line_start, at - line_start).find('#'), std::string::npos) << key;
  }
}

TEST(YamlLoader, ReadsEveryKindOfValue) {
  const node_config cfg = parse_yaml(R"(
name: node-2
data_dir: /var/lib/plexichat
listen: "[::1]:8443"
cluster_listen: 10.0.0.2:7000
seeds: ["10.0.0.1:7000", "[fd00::3]:7000"]
certs_dir: /etc/plexichat/certs
insecure: false
log: {level: debug}
threads: {scheduler: 2, io: 1}
limits:
  max_body_bytes: 2MiB
  max_frame_bytes: 131072
  max_json_depth: 16
  auth_timeout: 250ms
  http_idle_timeout: 30
  ws_idle_timeout: 5s
  outbound_queue_frames: 8
  history_max_limit: 500
auth: {token_ttl: 1h, password_hash_cost: min}
channels: {idle_stop: 2m, nonce_ttl: 2d, fan_out_max_hold: 0ms, fan_out_turns: 1}
storage: {sync_interval: 0ms}
)");
  EXPECT_EQ(cfg.name, "node-2");
  EXPECT_EQ(cfg.data_dir, "/var/lib/plexichat");
  EXPECT_EQ(cfg.listen, (host_port{"::1", 8443}));
  EXPECT_EQ(cfg.cluster_listen, (host_port{"10.0.0.2", 7000}));
  ASSERT_EQ(cfg.seeds.size(), 2u);
  EXPECT_EQ(cfg.seeds[1], (host_port{"fd00::3", 7000}));
  EXPECT_EQ(cfg.certs_dir, "/etc/plexichat/certs");
  EXPECT_EQ(cfg.log.level, "debug");
  EXPECT_EQ(cfg.threads.scheduler, 2u);
  EXPECT_EQ(cfg.threads.io, 1u);
  EXPECT_EQ(cfg.limits.max_body_bytes, 2u << 20);
  EXPECT_EQ(cfg.limits.max_frame_bytes, 131072u);
  EXPECT_EQ(cfg.limits.max_json_depth, 16u);
  EXPECT_EQ(cfg.limits.auth_timeout, 250ms);
  EXPECT_EQ(cfg.limits.http_idle_timeout, 30s);
  EXPECT_EQ(cfg.limits.ws_idle_timeout, 5s);
  EXPECT_EQ(cfg.limits.outbound_queue_frames, 8u);
  EXPECT_EQ(cfg.limits.history_max_limit, 500u);
  EXPECT_EQ(cfg.limits.history_default_limit, 50u);  // left out: default
  EXPECT_EQ(cfg.auth.token_ttl, 1h);
  EXPECT_EQ(cfg.auth.password_hash_cost, "min");
  EXPECT_EQ(cfg.channels.idle_stop, 2min);
  EXPECT_EQ(cfg.channels.nonce_ttl, 48h);
  EXPECT_EQ(cfg.channels.fan_out_max_hold, 0ms);
  EXPECT_EQ(cfg.channels.fan_out_turns, 1u);
  EXPECT_EQ(cfg.storage.sync_interval, 0ms);
  EXPECT_NO_THROW(validate(cfg));
}

TEST(YamlLoader, UnknownKeysAreRejectedWithTheirPath) {
  EXPECT_EQ(yaml_error("nmae: x\n").key(), "nmae");
  EXPECT_EQ(yaml_error("limits:\n  max_body_byte: 1MiB\n").key(), "limits.max_body_byte");
  EXPECT_EQ(yaml_error("auth:\n  level: info\n").key(), "auth.level");
  const config_error e = yaml_error("name: a\nlimits:\n  max_frame: 1\n");
  EXPECT_EQ(e.reason(), "unknown key (line 3)");
  EXPECT_STREQ(e.what(), "config: limits.max_frame: unknown key (line 3)");
}

TEST(YamlLoader, RepeatedKeysAreRejected) {
  const config_error e = yaml_error("limits:\n  max_json_depth: 4\n  max_json_depth: 8\n");
  EXPECT_EQ(e.key(), "limits.max_json_depth");
  EXPECT_NE(e.reason().find("repeated key"), std::string::npos) << e.what();
}

TEST(YamlLoader, WrongTypesNameTheKey) {
  struct bad {
    const char* text;
    const char* key;
    const char* reason_part;
  };
  for (const bad& b : {
           bad{"name: [a, b]\n", "name", "single value"},
           bad{"name:\n", "name", "has no value"},
           bad{"insecure: yes\n", "insecure", "true or false"},
           bad{"listen: 8080\n", "listen", "HOST:PORT"},
           bad{"listen: \"localhost:99999\"\n", "listen", "up to 65535"},
           bad{"seeds: 10.0.0.1:7000\n", "seeds", "list"},
           bad{"seeds: [\"a:1\", \"b\"]\n", "seeds[1]", "HOST:PORT"},
           bad{"threads: {io: -1}\n", "threads.io", "whole number"},
           bad{"threads: {io: 4294967296}\n", "threads.io", "too large"},
           bad{"limits: {max_json_depth: 3.5}\n", "limits.max_json_depth", "whole number"},
           bad{"limits: {max_connections: 1KiB}\n", "limits.max_connections", "whole number"},
           bad{"limits: {max_body_bytes: 1MB}\n", "limits.max_body_bytes", "size in bytes"},
           bad{"limits: {auth_timeout: 10 s}\n", "limits.auth_timeout", "duration"},
           bad{"limits: {auth_timeout: 99999999999999999d}\n", "limits.auth_timeout", "too large"},
           bad{"auth: {token_ttl: 1500ms}\n", "auth.token_ttl", "whole number of seconds"},
           bad{"limits: 5\n", "limits", "mapping"},
           bad{"log: [info]\n", "log", "mapping"},
       }) {
    const config_error e = yaml_error(b.text);
    EXPECT_EQ(e.key(), b.key) << b.text << " -> " << e.what();
    EXPECT_NE(e.reason().find(b.reason_part), std::string::npos) << b.text << " -> " << e.what();
    EXPECT_NE(e.reason().find("(line "), std::string::npos) << e.what();
  }
}

TEST(YamlLoader, SyntaxErrorsAndOddDocuments) {
  const config_error e = yaml_error("name: [unclosed\n");
  EXPECT_EQ(e.key(), "");
  EXPECT_NE(e.reason().find("invalid YAML: line "), std::string::npos) << e.what();
  EXPECT_NE(yaml_error("just a string\n").reason().find("mapping"), std::string::npos);
  EXPECT_NE(yaml_error("- a\n- b\n").reason().find("mapping"), std::string::npos);
  EXPECT_NE(yaml_error("name: a\n---\nname: b\n").reason().find("2 YAML documents"),
            std::string::npos);
}

TEST(YamlLoader, NullClusterListenMeansNone) {
  EXPECT_FALSE(parse_yaml("cluster_listen: ~\n").cluster_listen.has_value());
  EXPECT_FALSE(parse_yaml("cluster_listen:\n").cluster_listen.has_value());
}

TEST(YamlLoader, ParseDoesNotCheckRanges) {
  const node_config cfg = parse_yaml("limits: {max_body_bytes: 12}\n");
  EXPECT_EQ(cfg.limits.max_body_bytes, 12u);
  EXPECT_EQ(error_of([&] { validate(cfg); }).key(), "limits.max_body_bytes");
}

TEST_F(YamlFile, LoadsAFile) {
  const std::string path = write("node.yaml", "name: from-file\nthreads: {io: 3}\n");
  const node_config cfg = load_yaml_file(path);
  EXPECT_EQ(cfg.name, "from-file");
  EXPECT_EQ(cfg.threads.io, 3u);
}

TEST_F(YamlFile, ErrorsNameTheFile) {
  const std::string path = write("bad.yaml", "limits:\n  max_body_bytes: lots\n");
  const config_error e = error_of([&] { load_yaml_file(path); });
  EXPECT_EQ(e.source(), path);
  EXPECT_EQ(e.key(), "limits.max_body_bytes");
  EXPECT_EQ(std::string(e.what()).rfind("config: " + path + ": limits.max_body_bytes: ", 0), 0u)
      << e.what();
}

TEST_F(YamlFile, MissingFileOrDirectoryIsAnErrorNamingIt) {
  const std::string missing = (dir_ / "absent.yaml").string();
  const config_error e = error_of([&] { load_yaml_file(missing); });
  EXPECT_EQ(e.source(), missing);
  EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  const config_error d = error_of([&] { load_yaml_file(dir_.string()); });
  EXPECT_EQ(d.source(), dir_.string());
  EXPECT_NE(d.reason().find("directory"), std::string::npos) << d.what();
}

}  // namespace
}  // namespace plexichat::config
