#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plexichat::bench {

/// Which node, and how the tool reaches it.
struct node_options {
  std::string node = "127.0.0.1:8080";  ///< HOST:PORT of a running node
  std::string node_binary;              ///< start this plexichat-node instead
  /// More nodes of the same cluster: WebSocket sessions go round-robin over node and these.
  std::vector<std::string> spread;
  std::vector<int> node_cpus;  ///< CPUs for the node it starts (empty: any)
  std::string node_yaml;       ///< more YAML for the config of the node it starts
  int pid = 0;                 ///< the running node's pid (memory and CPU figures)
  int sources = 253;           ///< client addresses 127.0.0.2 .. 127.0.0.(1+sources)
  int http_parallel = 32;      ///< keep-alive HTTP connections for setting up
  int parallel = 200;          ///< WebSocket sessions being opened at once
  double setup_timeout = 300;  ///< seconds allowed for setting up users and sessions
};

/// One scenario's parameters; fields not used by a scenario keep their defaults.
struct scenario_options {
  int subscribers = 100;      ///< fanout
  int channels = 10;          ///< rooms
  int members = 10;           ///< rooms
  int senders = 100;          ///< durable
  bool one_channel = false;   ///< durable: every sender into the same channel
  int sessions = 1000;        ///< idle
  int users = 0;              ///< users the sessions are spread over (0: the scenario's default)
  double rate = 0;            ///< messages a second per sender (0: as fast as the window allows)
  double duration = 10;       ///< seconds of sending
  int window = 0;             ///< unanswered sends per sender (0: the scenario's default)
  double drain = 10;          ///< seconds to wait for deliveries after the last ack
  double settle = 2;          ///< idle: seconds before reading the node's memory
  int size = 100;             ///< message content in bytes
  int step = 1000;            ///< capacity: clients added per step
  int broadcasters = 4;       ///< capacity
  int samples = 20;           ///< capacity: broadcasts per broadcaster per step
  int max_clients = 50000;    ///< capacity
  double max_time = 600;      ///< capacity: seconds for the whole run
  double threshold_ms = 500;  ///< capacity: stop once p95 passes this
};

struct bench_options {
  std::string scenario;  ///< fanout, rooms, idle, durable, capacity
  bool json = false;
  node_options node;
  scenario_options run;
};

/// The outcome of parsing a command line: options, or the exit code and the text to print
/// (help, or one line naming what is wrong).
struct parse_outcome {
  bool ok = false;
  int exit_code = 0;
  std::string output;
  bench_options options;
};

/// Parses `plexichat-bench [common options] SCENARIO [scenario options]`. Every count and
/// duration is bounded; a bad value is an error, never clamped silently.
[[nodiscard]] parse_outcome parse_bench_options(const std::vector<std::string>& args);

}  // namespace plexichat::bench
