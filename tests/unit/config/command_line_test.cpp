#include "config/command_line.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace plexichat::config {
namespace {

using namespace std::chrono_literals;

using test_support::error_of;

command_line_result parse(std::vector<const char*> args) {
  args.insert(args.begin(), "plexichat-node");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

class CommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "config_cli_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text) {
    const std::string path = (dir_ / "node.yaml").string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CommandLine, NoFlagsGiveTheDefaults) {
  const auto result = parse({});
  EXPECT_FALSE(result.exit_now);
  EXPECT_EQ(result.config, node_config{});
}

TEST_F(CommandLine, EveryFlagSetsItsKey) {
  const auto result =
      parse({"--name", "n1", "--data-dir", "/tmp/d", "--listen", "[::1]:9000", "--cluster-listen",
             "127.0.0.1:7001", "--seeds", "127.0.0.1:7001,127.0.0.2:7002", "--certs-dir",
             "/tmp/certs", "--log-level", "debug"});
  ASSERT_FALSE(result.exit_now) << result.output;
  const node_config& cfg = result.config;
  EXPECT_EQ(cfg.name, "n1");
  EXPECT_EQ(cfg.data_dir, "/tmp/d");
  EXPECT_EQ(cfg.listen, (host_port{"::1", 9000}));
  EXPECT_EQ(cfg.cluster_listen, (host_port{"127.0.0.1", 7001}));
  EXPECT_EQ(cfg.seeds, (std::vector<host_port>{{"127.0.0.1", 7001}, {"127.0.0.2", 7002}}));
  EXPECT_EQ(cfg.certs_dir, "/tmp/certs");
  EXPECT_EQ(cfg.log.level, "debug");
  EXPECT_TRUE(parse({"--insecure"}).config.insecure);
}

TEST_F(CommandLine, FlagsOverrideTheFile) {
  const std::string path = write(R"(
name: from-file
data_dir: /file/data
listen: 127.0.0.1:8081
cluster_listen: 127.0.0.1:7000
seeds: ["127.0.0.1:7000", "127.0.0.1:7005"]
insecure: true
log: {level: warn}
limits: {max_json_depth: 8}
)");
  const auto result = parse({"--config", path.c_str(), "--name", "from-flag", "--listen",
                             "127.0.0.1:9999", "--seeds", "127.0.0.1:7007"});
  ASSERT_FALSE(result.exit_now) << result.output;
  const node_config& cfg = result.config;
  EXPECT_EQ(cfg.name, "from-flag");
  EXPECT_EQ(cfg.listen, (host_port{"127.0.0.1", 9999}));
  EXPECT_EQ(cfg.seeds, (std::vector<host_port>{{"127.0.0.1", 7007}}));
  // Keys without a flag keep the file's value.
  EXPECT_EQ(cfg.data_dir, "/file/data");
  EXPECT_EQ(cfg.cluster_listen, (host_port{"127.0.0.1", 7000}));
  EXPECT_TRUE(cfg.insecure);
  EXPECT_EQ(cfg.log.level, "warn");
  EXPECT_EQ(cfg.limits.max_json_depth, 8u);
}

TEST_F(CommandLine, TlsFlagsReplaceTheFilesChoice) {
  const std::string insecure_file = write("cluster_listen: 127.0.0.1:7000\ninsecure: true\n");
  const auto with_certs = parse({"--config", insecure_file.c_str(), "--certs-dir", "/c"});
  ASSERT_FALSE(with_certs.exit_now) << with_certs.output;
  EXPECT_EQ(with_certs.config.certs_dir, "/c");
  EXPECT_FALSE(with_certs.config.insecure);

  const std::string certs_file = write("cluster_listen: 127.0.0.1:7000\ncerts_dir: /c\n");
  const auto insecure = parse({"--config", certs_file.c_str(), "--insecure"});
  ASSERT_FALSE(insecure.exit_now) << insecure.output;
  EXPECT_TRUE(insecure.config.insecure);
  EXPECT_EQ(insecure.config.certs_dir, "");
}

TEST_F(CommandLine, EmptySeedsFlagClearsTheFilesSeeds) {
  const std::string path =
      write("cluster_listen: 127.0.0.1:7000\ninsecure: true\nseeds: [\"127.0.0.1:7001\"]\n");
  const auto result = parse({"--config", path.c_str(), "--seeds", ""});
  ASSERT_FALSE(result.exit_now) << result.output;
  EXPECT_TRUE(result.config.seeds.empty());
}

TEST_F(CommandLine, CertsDirWithInsecureIsAUsageError) {
  const auto result = parse({"--certs-dir", "/c", "--insecure"});
  EXPECT_TRUE(result.exit_now);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("--certs-dir"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--insecure"), std::string::npos) << result.output;
  const auto reversed = parse({"--insecure", "--certs-dir", "/c"});
  EXPECT_EQ(reversed.exit_code, 2);
}

TEST_F(CommandLine, UsageErrors) {
  for (const auto& args : std::vector<std::vector<const char*>>{
           {"--listn", "127.0.0.1:1"}, {"--listen"}, {"stray"}, {"--name", "a", "--name", "b"}}) {
    const auto result = parse(args);
    EXPECT_TRUE(result.exit_now) << args[0];
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_NE(result.output.find("--help"), std::string::npos) << result.output;
  }
}

TEST_F(CommandLine, HelpAndVersionExitZero) {
  const auto help = parse({"--help"});
  EXPECT_TRUE(help.exit_now);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--config", "--name", "--data-dir", "--listen", "--cluster-listen",
                           "--seeds", "--certs-dir", "--insecure", "--log-level"}) {
    EXPECT_NE(help.output.find(flag), std::string::npos) << flag;
  }
  const auto version = parse({"--version"});
  EXPECT_TRUE(version.exit_now);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("plexichat-node ", 0), 0u) << version.output;
}

TEST_F(CommandLine, BadFlagValuesNameTheFlag) {
  struct bad {
    std::vector<const char*> args;
    const char* flag;
  };
  for (const auto& b : std::vector<bad>{
           {{"--listen", "127.0.0.1:99999"}, "--listen"},
           {{"--listen", "127.0.0.1:0"}, "--listen"},
           {{"--cluster-listen", "nope", "--insecure"}, "--cluster-listen"},
           {{"--seeds", "127.0.0.1:1,,127.0.0.1:2"}, "--seeds"},
           {{"--seeds", "127.0.0.1:1,bad"}, "--seeds"},
           {{"--cluster-listen", "127.0.0.1:7000", "--insecure", "--seeds", "h:1,h:1"}, "--seeds"},
           {{"--name", "no spaces"}, "--name"},
           {{"--data-dir", ""}, "--data-dir"},
           {{"--certs-dir", ""}, "--certs-dir"},
           {{"--log-level", "loud"}, "--log-level"},
       }) {
    const config_error e = error_of([&] { parse(b.args); });
    EXPECT_EQ(e.key(), b.flag) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(std::string("config: ") + b.flag + ": ", 0), 0u)
        << e.what();
  }
}

TEST_F(CommandLine, ValidationErrorsFromTheFileNameFileAndKey) {
  const std::string path = write("limits: {max_body_bytes: 12}\n");
  const config_error e = error_of([&] { parse({"--config", path.c_str()}); });
  EXPECT_EQ(e.key(), "limits.max_body_bytes");
  EXPECT_EQ(e.source(), path);
  EXPECT_NE(std::string(e.what()).find("must be between 1024 and 67108864, got 12"),
            std::string::npos);
}

TEST_F(CommandLine, ClusterWithoutTlsChoiceIsRejected) {
  const config_error e = error_of([&] { parse({"--cluster-listen", "127.0.0.1:7000"}); });
  EXPECT_EQ(e.key(), "certs_dir");
  EXPECT_NE(e.reason().find("--insecure"), std::string::npos) << e.what();
}

TEST_F(CommandLine, ExampleFileLoads) {
  const auto result = parse({"--config", PLEXICHAT_SOURCE_DIR "/config/node.yaml"});
  ASSERT_FALSE(result.exit_now);
  EXPECT_EQ(result.config, node_config{});
}

}  // namespace
}  // namespace plexichat::config
