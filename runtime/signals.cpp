#include "runtime/signals.hpp"

#include <pthread.h>
#include <unistd.h>
#include <csignal>

namespace plexichat::runtime {

namespace {

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_stop_signals() {
  auto set = stop_set();
  // A peer that resets a socket must not kill the process: writes report EPIPE instead.
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal() {
  auto set = stop_set();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void request_stop() {
  kill(getpid(), SIGTERM);
}

}  // namespace plexichat::runtime
