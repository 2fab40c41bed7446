#include "tools/console/console_link.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <set>

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/atoms.hpp"
#include "config/host_port.hpp"

namespace plexichat::tools::console {

namespace {

constexpr std::chrono::seconds ask_timeout{15};
constexpr std::chrono::seconds connect_timeout{10};

/// True when a TCP connection to host:port opens within `timeout_ms`: tells an unreachable
/// node from one that refused the console's certificate.
bool tcp_reachable(const std::string& host, uint16_t port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return false;
  }
  bool ok = false;
  for (auto* ai = found; ai != nullptr && !ok; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      ok = poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
           err == 0;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return ok;
}

}  // namespace

std::string console_link::connect_error(const std::string& address, const caf::error& err) {
  config::host_port hp = config::parse_host_port(address, "node address");
  if (!tcp_reachable(hp.host, hp.port, 3000)) {
    return "cannot reach node at " + address + ": nothing listens there or it is unreachable";
  }
  if (err == caf::sec::request_timeout) {
    return "node at " + address + " accepted the connection but did not answer within " +
           std::to_string(connect_timeout.count()) + " s";
  }
  if (tls_) {
    return "node at " + address +
           " refused the connection: the TLS handshake failed (this console's certificate is "
           "not from the cluster's CA, or the node's is not from ours)";
  }
  return "cannot connect to node at " + address + ": " + sys_.render(err) +
         " (is it a cluster listener, and --insecure like the node?)";
}

std::variant<caf::actor, std::string> console_link::inspector_at(const std::string& address) {
  if (auto i = inspectors_.find(address); i != inspectors_.end()) {
    return i->second;
  }
  config::host_port hp;
  try {
    hp = config::parse_host_port(address, "node address");
  } catch (const std::exception& e) {
    return std::string{e.what()};
  }
  // Through the manager with a deadline (remote_actor() would wait forever on a node that
  // accepts the connection but never answers, such as a frozen one).
  auto connector = tls_ ? sys_.openssl_manager().actor_handle() : sys_.middleman().actor_handle();
  caf::scoped_actor self{sys_};
  caf::actor cluster;
  std::optional<std::string> failed;
  self->request(connector, connect_timeout, caf::connect_atom::value, hp.host, hp.port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
            cluster = caf::actor_cast<caf::actor>(ptr);
            if (!cluster) {
              failed = "node at " + address + " published no actor there";
            }
          },
          [&](caf::error& err) { failed = connect_error(address, err); });
  if (failed) {
    return *failed;
  }
  std::variant<caf::actor, std::string> result = std::string{"no answer"};
  // A busy machine can lose the first exchange on a fresh connection: ask twice.
  for (int attempt = 0; attempt < 2 && !std::holds_alternative<caf::actor>(result); ++attempt) {
    self->request(cluster, ask_timeout, actors::inspector_atom::value)
        .receive([&](caf::actor& inspector) { result = inspector; },
                 [&](caf::error& err) {
                   timed_out_ = err == caf::sec::request_timeout;
                   result = "node at " + address +
                            " did not hand out its inspector: " + sys_.render(err);
                 });
    if (!timed_out_) {
      break;
    }
  }
  if (auto* inspector = std::get_if<caf::actor>(&result)) {
    inspectors_.emplace(address, *inspector);
  }
  return result;
}

answer_or_error console_link::ask(const std::string& address, actors::inspector::inspector_query q,
                                  bool job) {
  if (job) {
    return ask_once(address, std::move(q), job_timeout);
  }
  // A busy machine can lose an exchange: one retry, after a timeout only (asking again is
  // harmless: every query but grant, revoke, log-level and drain only reads, and those are
  // idempotent).
  auto answer = ask_once(address, q, ask_timeout);
  if (auto* err = std::get_if<std::string>(&answer); err != nullptr && timed_out_) {
    inspectors_.erase(address);
    answer = ask_once(address, std::move(q), ask_timeout);
  }
  return answer;
}

answer_or_error console_link::ask_once(const std::string& address,
                                       actors::inspector::inspector_query q,
                                       caf::timespan timeout) {
  timed_out_ = false;
  auto inspector = inspector_at(address);
  if (auto* err = std::get_if<std::string>(&inspector)) {
    return *err;
  }
  caf::scoped_actor self{sys_};
  answer_or_error result = std::string{"no answer"};
  self->request(std::get<caf::actor>(inspector), timeout, actors::inspect_atom::value, std::move(q))
      .receive(
          [&](std::string& text) {
            auto j = nlohmann::json::parse(text, nullptr, false);
            if (j.is_discarded() || !j.is_object()) {
              result = "node at " + address + " answered something that is not JSON";
            } else if (j.contains("error")) {
              result = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
            } else {
              result = std::move(j);
            }
          },
          [&](caf::error& err) {
            inspectors_.erase(address);
            timed_out_ = err == caf::sec::request_timeout;
            result = "node at " + address + " did not answer: " + sys_.render(err);
          });
  return result;
}

}  // namespace plexichat::tools::console
