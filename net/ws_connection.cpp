#include "net/ws_connection.hpp"

#include <spdlog/spdlog.h>
#include <boost/beast/websocket/ssl.hpp>
#include <caf/send.hpp>

#include "actors/atoms.hpp"
#include "actors/session/ws_session.hpp"
#include "net/frame_parser.hpp"
#include "runtime/crypto.hpp"

namespace plexichat::net {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr uint16_t close_rate_limited = 4008;
constexpr uint16_t close_slow_consumer = 4009;
constexpr std::size_t max_close_reason = 120;  // RFC 6455: 123 bytes of reason at most

/// The session actor's view of the connection: holds it weakly, so that a session that
/// outlives its socket does not keep the socket alive.
class ws_sink : public actors::session::session_sink {
 public:
  ws_sink(std::weak_ptr<ws_link> conn, std::string remote_address)
      : session_sink(runtime::random_id("s"), std::move(remote_address)), conn_(std::move(conn)) {}

  void send(actors::wire::frame frame) override {
    if (auto c = conn_.lock()) {
      c->post_send(std::move(frame));
    }
  }

  void send(std::vector<actors::wire::frame> frames) override {
    if (auto c = conn_.lock()) {
      c->post_send(std::move(frames));
    }
  }

  void send_framed(actors::wire::frame framed, std::size_t frames) override {
    if (auto c = conn_.lock()) {
      c->post_send_framed(std::move(framed), frames);
    }
  }

  void close(uint16_t code, std::string reason) override {
    if (auto c = conn_.lock()) {
      c->post_close(code, std::move(reason));
    }
  }

  std::size_t queued() const override {
    auto c = conn_.lock();
    return c ? c->queued() : 0;
  }

 private:
  std::weak_ptr<ws_link> conn_;
};

}  // namespace

template <typename Stream>
ws_connection<Stream>::ws_connection(Stream&& stream, std::shared_ptr<server_state> state)
    : out_(to_ws_transport(std::move(stream))),
      ws_(out_),
      state_(std::move(state)),
      frames_(static_cast<double>(state_->ctx.config->rate_limits.ws_frames.burst),
              std::chrono::steady_clock::now()) {
  state_->connections.fetch_add(1);
  state_->ctx.metrics->http_connections.Increment();
}

template <typename Stream>
ws_connection<Stream>::~ws_connection() {
  if (!closed_) {
    // Registered by its address: leave no stale entry for the next connection there.
    state_->remove_ws(this);
    if (session_) {
      caf::anon_send(session_, actors::closed_atom::value);
    }
  }
  state_->connections.fetch_sub(1);
  state_->ctx.metrics->http_connections.Decrement();
}

template <typename Stream>
void ws_connection<Stream>::run(beast::http::request<beast::http::string_body> req) {
  // Beast times the opening and closing handshakes. An open connection's silence is timed by
  // the server's idle sweep (check_idle): Beast's idle timer would hold a pending wait per
  // connection, and cancel and re-arm it at every frame read.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds{10};
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.read_message_max(state_->ctx.config->limits.max_frame_bytes);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "plexichat");
    if constexpr (is_tls<Stream>) {
      res.set(beast::http::field::strict_transport_security, hsts_value);
    }
  }));
  out_.set_owner(this->weak_from_this());
  ws_.async_accept(req,
                   beast::bind_front_handler(&ws_connection::on_accept, this->shared_from_this()));
}

template <typename Stream>
void ws_connection<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    return;
  }
  heard();
  ws_.control_callback([this](websocket::frame_type, beast::string_view) { heard(); });
  state_->add_ws(this->shared_from_this());
  beast::error_code peer_ec;
  auto peer = transport_socket(out_.next_layer()).remote_endpoint(peer_ec);
  auto sink =
      std::make_shared<ws_sink>(this->weak_from_this(), peer_ec ? "" : peer.address().to_string());
  session_ = actors::session::spawn_ws_session(state_->sys, &state_->ctx, std::move(sink));
  if (state_->stopping) {
    start_close(static_cast<uint16_t>(websocket::close_code::going_away), "node is stopping",
                false);
  }
  do_read();
}

template <typename Stream>
void ws_connection<Stream>::do_read() {
  ws_.async_read_some(boost::asio::buffer(chunk_),
                      beast::bind_front_handler(&ws_connection::on_read, this->shared_from_this()));
}

template <typename Stream>
bool ws_connection<Stream>::over_rate() {
  if (closing_) {
    return true;  // frames after our close are read only to reach the client's close
  }
  const auto& limit = state_->ctx.config->rate_limits.ws_frames;
  if (limit.rate == 0 ||
      !frames_.take(static_cast<double>(limit.rate), static_cast<double>(limit.burst),
                    std::chrono::steady_clock::now())) {
    return false;
  }
  state_->ctx.metrics->rate_limited_in("ws_session").Increment();
  start_close(close_rate_limited, "rate limited: too many frames", false);
  return true;
}

template <typename Stream>
void ws_connection<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    // Beast has already answered a too-large frame with close code 1009.
    return on_closed();
  }
  heard();
  const bool whole = ws_.is_message_done();
  if (!whole || message_) {
    if (!message_) {
      message_ = std::make_unique<std::string>();
    }
    message_->append(chunk_.data(), bytes);
    if (!whole) {
      return do_read();
    }
  }
  // The message: in message_ when it took more than one chunk, else the chunk's first bytes.
  const std::string_view text =
      message_ ? std::string_view{*message_} : std::string_view{chunk_.data(), bytes};
  state_->ctx.metrics->ws_frames_received.Increment();
  if (!over_rate()) {
    actors::session::parsed_frame pf;
    if (ws_.got_text()) {
      pf = parse_client_frame(text, state_->ctx.config->limits);
    } else {
      pf.error = {actors::api_errc::invalid_request, "frames must be text (JSON)"};
    }
    caf::anon_send(session_, actors::frame_atom::value, std::move(pf));
  }
  message_.reset();
  do_read();
}

template <typename Stream>
void ws_connection<Stream>::heard() {
  heard_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
               std::memory_order_relaxed);
  pinged_ = false;
}

template <typename Stream>
void ws_connection<Stream>::check_idle(std::chrono::steady_clock::time_point now) {
  const auto timeout = state_->ctx.config->limits.ws_idle_timeout;
  if (now - last_heard() < timeout / 2) {
    return;
  }
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), timeout] { self->on_idle(timeout); });
}

template <typename Stream>
void ws_connection<Stream>::on_idle(std::chrono::milliseconds timeout) {
  if (closing_ || closed_) {
    return;  // the close has its own timer
  }
  const auto silent = std::chrono::steady_clock::now() - last_heard();
  if (silent >= timeout) {
    // As Beast's idle timeout did: no close handshake with a peer that answers nothing; the
    // pending read fails and the session is told.
    spdlog::debug("websocket: dropping a client silent for {} ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(silent).count());
    beast::error_code ignored;
    transport_socket(out_.next_layer()).close(ignored);
    return;
  }
  if (silent >= timeout / 2 && !pinged_) {
    pinged_ = true;
    ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) {});
  }
}

template <typename Stream>
void ws_connection<Stream>::post_send(actors::wire::frame frame) {
  posted_.fetch_add(1, std::memory_order_relaxed);
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), f = std::move(frame)]() mutable {
                      self->enqueue(std::move(f));
                      self->posted_.fetch_sub(1, std::memory_order_release);
                    });
}

template <typename Stream>
void ws_connection<Stream>::post_send(std::vector<actors::wire::frame> frames) {
  const auto n = static_cast<uint32_t>(frames.size());
  posted_.fetch_add(n, std::memory_order_relaxed);
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), fs = std::move(frames), n]() mutable {
                      // Queued before they stop counting as posted (see queued()).
                      bool open = true;
                      for (auto& f : fs) {
                        if (!(open = self->enqueue(std::move(f), false))) {
                          break;
                        }
                      }
                      if (open) {
                        self->out_.flush();
                      }
                      self->posted_.fetch_sub(n, std::memory_order_release);
                    });
}

template <typename Stream>
void ws_connection<Stream>::post_send_framed(actors::wire::frame framed, std::size_t frames) {
  const auto n = static_cast<uint32_t>(frames);
  posted_.fetch_add(n, std::memory_order_relaxed);
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), f = std::move(framed), n]() mutable {
                      if (self->has_room(n)) {
                        self->out_.queue_framed(std::move(f), n);
                        self->out_.flush();
                      }
                      self->posted_.fetch_sub(n, std::memory_order_release);
                    });
}

template <typename Stream>
void ws_connection<Stream>::post_close(uint16_t code, std::string reason) {
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
                      self->start_close(code, std::move(r), true);
                    });
}

template <typename Stream>
bool ws_connection<Stream>::enqueue(actors::wire::frame frame, bool flush) {
  if (!has_room(1)) {
    return false;
  }
  out_.queue_text(std::move(frame));
  if (flush) {
    out_.flush();
  }
  return true;
}

template <typename Stream>
bool ws_connection<Stream>::has_room(std::size_t frames) {
  if (closing_ || closed_) {
    return false;
  }
  if (out_.frames_waiting() + frames > state_->ctx.config->limits.outbound_queue_frames) {
    state_->ctx.metrics->ws_closed_slow_consumer.Increment();
    start_close(close_slow_consumer, "slow consumer: reconnect and resubscribe with after_seq",
                false);
    return false;
  }
  return true;
}

template <typename Stream>
void ws_connection<Stream>::start_close(uint16_t code, std::string reason, bool flush) {
  if (closing_ || closed_) {
    return;
  }
  closing_ = true;
  if (!flush) {
    out_.drop_queued_frames();
  }
  // A client that stops reading never completes our write: give up on it after a while.
  close_timer_ = std::make_unique<boost::asio::steady_timer>(ws_.get_executor());
  close_timer_->expires_after(std::chrono::seconds{5});
  close_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) {
      beast::error_code ignored;
      transport_socket(self->out_.next_layer()).close(ignored);
    }
  });
  // The close frame goes after the frames still queued.
  do_close(code, reason.substr(0, max_close_reason));
}

template <typename Stream>
void ws_connection<Stream>::do_close(uint16_t code, std::string reason) {
  websocket::close_reason cr{code};
  cr.reason = std::move(reason);
  // The read loop sees the client's answering close frame and ends the connection.
  ws_.async_close(cr, [self = this->shared_from_this()](beast::error_code) {});
}

template <typename Stream>
void ws_connection<Stream>::on_closed() {
  if (closed_) {
    return;
  }
  closed_ = true;
  if (close_timer_) {
    close_timer_->cancel();
  }
  out_.discard();
  state_->remove_ws(this);
  if (session_) {
    caf::anon_send(session_, actors::closed_atom::value);
  }
}

template class ws_connection<plain_stream>;
template class ws_connection<tls_stream>;

}  // namespace plexichat::net
