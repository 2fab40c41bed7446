#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plexichat::bench {

/// A process's resident memory and CPU time, read from /proc.
struct process_sample {
  uint64_t rss_kib = 0;
  uint64_t cpu_ticks = 0;  ///< utime + stime of every thread, in clock ticks
};

/// Nothing when the process is gone or /proc cannot be read.
[[nodiscard]] std::optional<process_sample> sample_process(int pid);
/// Clock ticks a second (sysconf(_SC_CLK_TCK)).
[[nodiscard]] double ticks_per_second();

/// A plexichat-node this tool starts: a free loopback port, a temporary directory with its
/// config (fast password hashing, no rate limits, room for `max_connections`), stdout and
/// stderr to node.log there. stop() sends SIGTERM, waits up to 15 s (then SIGKILL) and
/// removes the directory. Not copyable; the destructor stops it.
class own_node {
 public:
  own_node() = default;
  own_node(const own_node&) = delete;
  own_node& operator=(const own_node&) = delete;
  ~own_node();

  /// Starts the binary, on the CPUs listed in `cpus` ("1", "0,1"; empty: wherever this
  /// process may run), with `extra_yaml` appended to its config; an error text on failure.
  [[nodiscard]] std::optional<std::string> start(const std::string& binary, int max_connections,
                                                 const std::vector<int>& cpus = {},
                                                 const std::string& extra_yaml = {});
  /// Exit status of a node that has exited, or nothing while it runs.
  [[nodiscard]] std::optional<int> exited();
  /// The node's exit code (-1 when killed or not started); removes the directory.
  int stop();

  [[nodiscard]] int pid() const { return static_cast<int>(pid_); }
  [[nodiscard]] int port() const { return port_; }
  /// The last `bytes` of node.log.
  [[nodiscard]] std::string log_tail(size_t bytes) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::optional<int> status_;
};

/// Raises RLIMIT_NOFILE's soft limit to the hard limit; answers the soft limit.
uint64_t raise_open_file_limit();

}  // namespace plexichat::bench
