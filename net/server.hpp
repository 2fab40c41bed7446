#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

namespace plexichat::net {

class connection_registry;

/// The client listener: Boost.Beast HTTP/1.1 and WebSocket on a pool of io_context threads,
/// bridged to the actors. Serves the REST API, /api/v1/ws, /healthz, /readyz and /metrics.
class server {
 public:
  server(caf::actor_system& sys, actors::node_context& ctx);
  ~server();

  /// Loads the TLS certificate and key when the config names them (tls.certificate,
  /// tls.key); returns one line for a person naming the file at fault, or an empty string.
  /// Call before bind(); without TLS config it does nothing.
  [[nodiscard]] std::string load_tls();
  /// Binds the listener; returns an error for a person ("127.0.0.1:8080: address already in
  /// use") or an empty string. Nothing is served until run().
  [[nodiscard]] std::string bind();
  /// Starts the I/O threads and accepting.
  void run();
  /// /readyz answers 200 while ready.
  void set_ready(bool ready) { ready_ = ready; }
  /// Stops accepting, closes WebSockets with 1001 and HTTP connections, and joins the I/O
  /// threads, waiting at most `grace` for the closes. Idempotent.
  void stop(std::chrono::milliseconds grace);

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
  std::atomic<bool> ready_{false};
};

}  // namespace plexichat::net
