#include "net/server.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <caf/send.hpp>

#include "config/cidr.hpp"
#include "net/http_connection.hpp"
#include "net/tls_context.hpp"
#include "net/ws_connection.hpp"

namespace plexichat::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void server_state::add_ws(const std::shared_ptr<ws_link>& ws) {
  std::lock_guard lock{mutex_};
  ws_.emplace(ws.get(), ws);
}

void server_state::remove_ws(const ws_link* ws) {
  std::lock_guard lock{mutex_};
  ws_.erase(ws);
}

std::vector<std::shared_ptr<ws_link>> server_state::open_ws() {
  std::lock_guard lock{mutex_};
  std::vector<std::shared_ptr<ws_link>> out;
  for (auto& [key, weak] : ws_) {
    if (auto ws = weak.lock()) {
      out.push_back(std::move(ws));
    }
  }
  return out;
}

std::size_t server_state::open_ws_count() {
  std::lock_guard lock{mutex_};
  return ws_.size();
}

uint64_t server_state::add_api(caf::actor api) {
  std::lock_guard lock{mutex_};
  auto id = next_id_++;
  apis_.emplace(id, std::move(api));
  return id;
}

void server_state::remove_api(uint64_t id) {
  std::lock_guard lock{mutex_};
  apis_.erase(id);
}

std::vector<caf::actor> server_state::open_apis() {
  std::lock_guard lock{mutex_};
  std::vector<caf::actor> out;
  for (auto& [id, api] : apis_) {
    out.push_back(api);
  }
  return out;
}

struct server::impl {
  impl(caf::actor_system& sys, actors::node_context& ctx, const std::atomic<bool>& ready)
      : state(std::make_shared<server_state>(sys, ctx, ready)),
        acceptor(ioc),
        idle_sweep(ioc),
        filter(ctx.config->net.allow, ctx.config->net.deny) {}

  /// Every sixth of limits.ws_idle_timeout, each open WebSocket checks how long its client
  /// has been silent (ws_link::check_idle). One timer for the node, where each connection
  /// had Beast's idle timer pending and re-armed it at every frame it read.
  void sweep_idle() {
    auto every =
        std::max(state->ctx.config->limits.ws_idle_timeout / 6, std::chrono::milliseconds{10});
    idle_sweep.expires_after(every);
    idle_sweep.async_wait([this](boost::beast::error_code ec) {
      if (ec) {
        return;
      }
      auto now = std::chrono::steady_clock::now();
      for (auto& ws : state->open_ws()) {
        ws->check_idle(now);
      }
      sweep_idle();
    });
  }

  void do_accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](boost::beast::error_code ec, tcp_socket socket) {
                            if (ec) {
                              if (ec != asio::error::operation_aborted) {
                                spdlog::warn("accept failed: {}", ec.message());
                                do_accept();
                              }
                              return;
                            }
                            on_accept(std::move(socket));
                            do_accept();
                          });
  }

  /// True when net.allow / net.deny let the peer in; a refused socket is closed unread.
  bool permitted(const tcp_socket& socket) {
    boost::beast::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (!ec && filter.permits(peer.address())) {
      return true;
    }
    state->ctx.metrics->connections_denied.Increment();
    return false;
  }

  void on_accept(tcp_socket socket) {
    if (!permitted(socket)) {
      return;
    }
    if (state->connections.load() >= state->ctx.config->limits.max_connections) {
      // Refuse at once rather than let one more client degrade everyone.
      return;
    }
    boost::beast::error_code ec;
    socket.set_option(tcp::no_delay{true}, ec);
    if (tls) {
      std::make_shared<http_connection<tls_stream>>(tls_stream(std::move(socket), *tls), state)
          ->run();
    } else {
      std::make_shared<http_connection<plain_stream>>(plain_stream(std::move(socket)), state)
          ->run();
    }
  }

  asio::io_context ioc;
  std::shared_ptr<server_state> state;
  tcp::acceptor acceptor;
  asio::steady_timer idle_sweep;
  config::address_filter filter;
  std::unique_ptr<asio::ssl::context> tls;  ///< set when the config names a certificate
  std::vector<std::thread> threads;
  bool stopped = false;
};

server::server(caf::actor_system& sys, actors::node_context& ctx)
    : impl_(std::make_unique<impl>(sys, ctx, ready_)) {}

server::~server() {
  stop(std::chrono::milliseconds{0});
}

std::string server::load_tls() {
  const auto& cfg = impl_->state->ctx.config->tls;
  if (!cfg.enabled()) {
    return {};
  }
  auto made = make_tls_context(cfg);
  if (auto* why = std::get_if<std::string>(&made)) {
    return *why;
  }
  impl_->tls = std::move(std::get<std::unique_ptr<asio::ssl::context>>(made));
  return {};
}

std::string server::bind() {
  const auto& listen = impl_->state->ctx.config->listen;
  boost::beast::error_code ec;
  auto address = asio::ip::make_address(listen.host, ec);
  if (ec) {
    return listen.to_string() + ": not an IP address";
  }
  tcp::endpoint endpoint{address, listen.port};
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) {
    acc.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acc.bind(endpoint, ec);
  }
  if (!ec) {
    acc.listen(asio::socket_base::max_listen_connections, ec);
  }
  return ec ? listen.to_string() + ": " + ec.message() : std::string{};
}

void server::run() {
  impl_->do_accept();
  impl_->sweep_idle();
  auto n = impl_->state->ctx.config->threads.effective_io();
  for (unsigned i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  spdlog::info("serving clients on {} ({}) with {} I/O threads",
               impl_->state->ctx.config->listen.to_string(),
               impl_->tls ? "HTTPS and WSS only" : "plain HTTP and WS", n);
}

void server::stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  auto& st = *impl_->state;
  st.stopping = true;
  asio::post(impl_->ioc, [this] {
    boost::beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->idle_sweep.cancel();
  });
  for (auto& ws : st.open_ws()) {
    ws->post_close(static_cast<uint16_t>(boost::beast::websocket::close_code::going_away),
                   "node is stopping");
  }
  // Give the close handshakes a moment, then stop whatever is left.
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (st.open_ws_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    t.join();
  }
  impl_->threads.clear();
  // The connection objects go with the server, after the actors; their actors must not wait
  // for them: a WebSocket whose close did not finish in the grace period tells its session,
  // and the REST session of every open HTTP connection ends.
  for (auto& ws : st.open_ws()) {
    ws->abandon();
  }
  for (auto& api : st.open_apis()) {
    caf::anon_send_exit(api, caf::exit_reason::user_shutdown);
  }
}

}  // namespace plexichat::net
