#include "tools/plexichat-bench/node_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace plexichat::bench {
namespace {

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::string node_config(const std::string& dir, int port, int max_connections) {
  std::ostringstream c;
  c << "data_dir: \"" << dir << "/data\"\n"
    << "listen: \"127.0.0.1:" << port << "\"\n"
    << "limits:\n  max_connections: " << max_connections << "\n"
    << "auth:\n  password_hash_cost: min\n"
    // One client address sending as fast as it can: the rate limits would measure
    // themselves instead of the node.
    << "rate_limits:\n  address: {rate: 0}\n  user: {rate: 0}\n  ws_frames: {rate: 0}\n";
  return c.str();
}

}  // namespace

std::optional<process_sample> sample_process(int pid) {
  process_sample s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  bool rss = false;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      s.rss_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
      rss = true;
    }
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
  auto paren = text.rfind(')');
  if (!rss || paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  uint64_t utime = 0;
  uint64_t stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) {
      utime = std::strtoull(field.c_str(), nullptr, 10);
    } else if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
    }
  }
  s.cpu_ticks = utime + stime;
  return s;
}

double ticks_per_second() {
  return static_cast<double>(::sysconf(_SC_CLK_TCK));
}

uint64_t raise_open_file_limit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) {
    return 0;
  }
  if (l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &l);
    (void)::getrlimit(RLIMIT_NOFILE, &l);
  }
  return l.rlim_cur;
}

own_node::~own_node() {
  stop();
}

std::optional<std::string> own_node::start(const std::string& binary, int max_connections,
                                           const std::vector<int>& cpus,
                                           const std::string& extra_yaml) {
  std::string pattern = (std::filesystem::temp_directory_path() / "pc-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    return "cannot create a temporary directory";
  }
  dir_ = pattern;
  port_ = free_loopback_port();
  if (!port_) {
    return "no free loopback port";
  }
  std::string config = dir_ + "/config.yaml";
  std::ofstream(config) << node_config(dir_, port_, max_connections) << extra_yaml << '\n';
  std::string log = dir_ + "/node.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string config_flag = "--config";
  std::vector<char*> argv{const_cast<char*>(binary.c_str()), config_flag.data(), config.data(),
                          nullptr};
  // A child inherits its parent's CPU affinity: take the node's for the spawn, then go back.
  cpu_set_t mine;
  CPU_ZERO(&mine);
  bool pinned = false;
  if (!cpus.empty() && ::sched_getaffinity(0, sizeof mine, &mine) == 0) {
    cpu_set_t node;
    CPU_ZERO(&node);
    for (int c : cpus) {
      CPU_SET(c, &node);
    }
    if (::sched_setaffinity(0, sizeof node, &node) != 0) {
      posix_spawn_file_actions_destroy(&actions);
      return "cannot run on --node-cpus: " + std::string(std::strerror(errno));
    }
    pinned = true;
  }
  int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  if (pinned) {
    (void)::sched_setaffinity(0, sizeof mine, &mine);
  }
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return "cannot start " + binary + ": " + std::strerror(rc);
  }
  return std::nullopt;
}

std::optional<int> own_node::exited() {
  if (status_ || pid_ <= 0) {
    return status_;
  }
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return status_;
}

int own_node::stop() {
  if (pid_ > 0 && !exited()) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited()) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      status_ = -1;
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
  int code = status_.value_or(-1);
  pid_ = -1;
  return code;
}

std::string own_node::log_tail(size_t bytes) const {
  std::ifstream f(dir_ + "/node.log");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace plexichat::bench
