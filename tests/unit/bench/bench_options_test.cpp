#include "tools/plexichat-bench/bench_options.hpp"

#include <gtest/gtest.h>

namespace plexichat::bench {
namespace {

parse_outcome parse(std::vector<std::string> args) {
  return parse_bench_options(args);
}

TEST(BenchOptions, FanoutWithItsDefaults) {
  auto p = parse({"--node", "127.0.0.1:9000", "--pid", "42", "fanout", "--subscribers", "5"});
  ASSERT_TRUE(p.ok) << p.output;
  EXPECT_EQ(p.options.scenario, "fanout");
  EXPECT_EQ(p.options.node.node, "127.0.0.1:9000");
  EXPECT_EQ(p.options.node.pid, 42);
  EXPECT_EQ(p.options.run.subscribers, 5);
  EXPECT_EQ(p.options.run.window, 64);
  EXPECT_EQ(p.options.run.users, 5);
  EXPECT_EQ(p.options.run.rate, 0);
  EXPECT_EQ(p.options.run.size, 100);
  EXPECT_FALSE(p.options.json);
}

TEST(BenchOptions, ScenarioOptionsAndJson) {
  auto p = parse({"--json", "--node-binary", "/bin/node", "durable", "--senders", "100",
                  "--duration", "2.5", "--window", "4", "--one-channel"});
  ASSERT_TRUE(p.ok) << p.output;
  EXPECT_TRUE(p.options.json);
  EXPECT_EQ(p.options.node.node_binary, "/bin/node");
  EXPECT_EQ(p.options.run.senders, 100);
  EXPECT_DOUBLE_EQ(p.options.run.duration, 2.5);
  EXPECT_EQ(p.options.run.window, 4);
  EXPECT_TRUE(p.options.run.one_channel);
  EXPECT_EQ(p.options.run.users, 100);
  EXPECT_TRUE(p.options.node.node_cpus.empty());
}

TEST(BenchOptions, NodeCpusForAStartedNodeOnly) {
  auto p = parse({"--node-binary", "/bin/node", "--node-cpus", "1,3", "idle"});
  ASSERT_TRUE(p.ok) << p.output;
  EXPECT_EQ(p.options.node.node_cpus, (std::vector<int>{1, 3}));
  EXPECT_FALSE(parse({"--node-cpus", "1", "idle"}).ok);
  EXPECT_FALSE(parse({"--node-binary", "x", "--node-cpus", "-1", "idle"}).ok);
}

TEST(BenchOptions, NodeYamlForAStartedNodeOnly) {
  auto p = parse(
      {"--node-binary", "/bin/node", "--node-yaml", "channels: {fan_out_max_hold: 0ms}", "fanout"});
  ASSERT_TRUE(p.ok) << p.output;
  EXPECT_EQ(p.options.node.node_yaml, "channels: {fan_out_max_hold: 0ms}");
  EXPECT_TRUE(parse({"--node-binary", "/bin/node", "fanout"}).options.node.node_yaml.empty());
  auto running = parse({"--node", "127.0.0.1:1", "--node-yaml", "channels: {}", "fanout"});
  EXPECT_FALSE(running.ok);
  EXPECT_NE(running.output.find("--node-yaml belongs to --node-binary"), std::string::npos);
}

TEST(BenchOptions, SpreadListsMoreNodesOfARunningCluster) {
  auto p = parse({"--node", "127.0.0.1:1", "--spread", "127.0.0.1:2,127.0.0.1:3", "durable"});
  ASSERT_TRUE(p.ok) << p.output;
  EXPECT_EQ(p.options.node.spread, (std::vector<std::string>{"127.0.0.1:2", "127.0.0.1:3"}));
  EXPECT_TRUE(parse({"durable"}).options.node.spread.empty());
  EXPECT_FALSE(parse({"--node-binary", "x", "--spread", "127.0.0.1:2", "durable"}).ok);
}

TEST(BenchOptions, RoomsIdleAndCapacityDefaults) {
  auto rooms = parse({"rooms", "--channels", "3", "--members", "4"});
  ASSERT_TRUE(rooms.ok) << rooms.output;
  EXPECT_EQ(rooms.options.run.users, 12);
  EXPECT_EQ(rooms.options.run.rate, 10);
  auto idle = parse({"idle", "--sessions", "10000"});
  ASSERT_TRUE(idle.ok) << idle.output;
  EXPECT_EQ(idle.options.run.sessions, 10000);
  EXPECT_EQ(idle.options.run.users, 100);
  auto cap = parse({"capacity", "--max-clients", "3000", "--step", "500"});
  ASSERT_TRUE(cap.ok) << cap.output;
  EXPECT_EQ(cap.options.run.max_clients, 3000);
  EXPECT_EQ(cap.options.run.step, 500);
  EXPECT_EQ(cap.options.run.broadcasters, 4);
}

TEST(BenchOptions, RefusesWhatIsOutOfBoundsOrMissing) {
  EXPECT_FALSE(parse({}).ok);
  EXPECT_FALSE(parse({"nonsense"}).ok);
  auto zero = parse({"fanout", "--subscribers", "0"});
  EXPECT_FALSE(zero.ok);
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.output.find("--subscribers"), std::string::npos);
  EXPECT_FALSE(parse({"fanout", "--duration", "100000"}).ok);
  EXPECT_FALSE(parse({"fanout", "--size", "3"}).ok);
  EXPECT_FALSE(parse({"--sources", "254", "idle"}).ok);
  EXPECT_FALSE(parse({"idle", "--subscribers", "5"}).ok);  // not an idle option
  auto both = parse({"--node-binary", "x", "--pid", "3", "idle"});
  EXPECT_FALSE(both.ok);
  EXPECT_NE(both.exit_code, 0);
}

TEST(BenchOptions, HelpIsNotAnError) {
  auto p = parse({"--help"});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.output.find("fanout"), std::string::npos);
}

}  // namespace
}  // namespace plexichat::bench
