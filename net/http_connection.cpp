#include "net/http_connection.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <caf/send.hpp>

#include "actors/atoms.hpp"
#include "actors/session/rest_session.hpp"
#include "actors/wire.hpp"
#include "net/access_log.hpp"
#include "net/request_guard.hpp"
#include "net/rest_parser.hpp"
#include "net/static_files.hpp"
#include "net/ws_connection.hpp"

namespace plexichat::net {

namespace beast = boost::beast;
namespace http = beast::http;
using actors::api_errc;
using actors::api_error;

namespace {

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category();
}

}  // namespace

template <typename Stream>
http_connection<Stream>::http_connection(Stream&& stream, std::shared_ptr<server_state> state)
    : stream_(std::move(stream)), state_(std::move(state)) {
  boost::system::error_code ec;
  auto peer = tcp().socket().remote_endpoint(ec);
  if (!ec) {
    remote_address_ = peer.address().to_string();
  }
  state_->connections.fetch_add(1);
  state_->ctx.metrics->http_connections.Increment();
}

template <typename Stream>
http_connection<Stream>::~http_connection() {
  if (api_) {
    state_->remove_api(api_id_);
    caf::anon_send_exit(api_, caf::exit_reason::user_shutdown);
  }
  state_->connections.fetch_sub(1);
  state_->ctx.metrics->http_connections.Decrement();
}

template <typename Stream>
void http_connection<Stream>::run() {
  if constexpr (is_tls<Stream>) {
    // A client that connects and says nothing, or speaks plain HTTP, is dropped here.
    tcp().expires_after(std::chrono::seconds{10});
    stream_.async_handshake(
        boost::asio::ssl::stream_base::server,
        beast::bind_front_handler(&http_connection::on_handshake, this->shared_from_this()));
  } else {
    boost::asio::dispatch(
        stream_.get_executor(),
        beast::bind_front_handler(&http_connection::do_read, this->shared_from_this()));
  }
}

template <typename Stream>
void http_connection<Stream>::on_handshake(beast::error_code ec) {
  if (!ec) {
    do_read();
  }
}

template <typename Stream>
void http_connection<Stream>::do_read() {
  const auto& limits = state_->ctx.config->limits;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser_->body_limit(limits.max_body_bytes);
  tcp().expires_after(limits.http_idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_connection::on_read, this->shared_from_this()));
}

template <typename Stream>
void http_connection<Stream>::on_read(beast::error_code ec, std::size_t) {
  keep_alive_ = false;
  started_ = std::chrono::steady_clock::now();
  if (!ec) {
    const auto& head = parser_->get();
    request_id_ = request_id(view(head["X-Request-Id"]));
    method_ = log_path(view(head.method_string()));
    path_ = log_path(view(head.target()));
  } else {
    request_id_ = request_id({});
    method_ = "-";
    path_ = "-";
  }
  if (ec == http::error::body_limit) {
    return send_json(413,
                     actors::wire::error_body({api_errc::too_large, "request body too large"}));
  }
  if (ec == http::error::header_limit) {
    return send_json(431,
                     actors::wire::error_body({api_errc::too_large, "request headers too large"}));
  }
  if (ec && is_parse_error(ec) && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return send_json(
        400, actors::wire::error_body({api_errc::invalid_request, "malformed HTTP request"}));
  }
  if (ec) {
    return do_close();
  }
  auto req = parser_->release();
  if (req.count(http::field::transfer_encoding) > 0 && !req.chunked()) {
    // RFC 9112 6.3: a transfer coding other than chunked last cannot be framed; answering
    // anything but 400 and closing invites request smuggling behind a proxy.
    return send_json(400, actors::wire::error_body(
                              {api_errc::invalid_request, "unsupported Transfer-Encoding"}));
  }
  version_ = req.version();
  keep_alive_ = req.keep_alive() && !state_->stopping;
  state_->ctx.metrics->http_requests.Increment();
  if (beast::websocket::is_upgrade(req)) {
    if (req.target() != "/api/v1/ws") {
      return send_json(404, actors::wire::error_body({api_errc::not_found, "no such endpoint"}));
    }
    spdlog::info("{}", access_line({request_id_, 0, method_, path_, 101, elapsed_ms(started_),
                                    remote_address_}));
    tcp().expires_never();
    std::make_shared<ws_connection<Stream>>(std::move(stream_), state_)->run(std::move(req));
    return;
  }
  handle(req);
}

template <typename Stream>
void http_connection<Stream>::handle(request& req) {
  auto target = req.target();
  auto path = target.substr(0, target.find('?'));
  if (req.method() == http::verb::get && path == "/healthz") {
    return send_json(200, {{"status", "ok"}});
  }
  if (req.method() == http::verb::get && path == "/readyz") {
    return send_readiness();
  }
  if (req.method() == http::verb::get && path == "/metrics") {
    response res{http::status::ok, version_};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = state_->ctx.metrics->render();
    return send(std::move(res));
  }
  if (!path.starts_with("/api/")) {
    auto reply = static_files{web::embedded_assets()}.serve(view(req.method_string()), view(path),
                                                            view(req[http::field::if_none_match]));
    if (reply) {
      return send_static(std::move(*reply));
    }
  }
  handle_api(req);
}

template <typename Stream>
void http_connection<Stream>::send_readiness() {
  bool ready = state_->ready.load() && !state_->stopping.load();
  nlohmann::json body;
  if (const auto* cell = state_->ctx.cluster_view) {
    // In a cluster, a node that refuses writes (no majority, or no majority lease) is not
    // ready.
    auto view = cell->get();
    ready = ready && !actors::cluster::refuses_writes(cell);
    if (view) {
      nlohmann::json members = nlohmann::json::array();
      for (const auto& m : view->members) {
        members.push_back({{"name", m.name},
                           {"state", actors::cluster::to_string(m.state)},
                           {"cluster_address", m.cluster_address},
                           {"client_address", m.client_address},
                           {"incarnation", m.incarnation},
                           {"connected", m.name == view->self || view->peers.count(m.name) > 0}});
      }
      body["cluster"] = {
          {"self", view->self}, {"has_majority", view->has_majority}, {"members", members}};
    }
  }
  body["status"] = ready ? "ready" : "not_ready";
  send_json(ready ? 200 : 503, body);
}

template <typename Stream>
void http_connection<Stream>::send_static(static_reply reply) {
  response res{static_cast<http::status>(reply.status), version_};
  for (auto& [name, value] : reply.headers) {
    res.set(name, value);
  }
  if (reply.status >= 400) {
    state_->ctx.metrics->http_errors.Increment();
  }
  res.body() = std::move(reply.body);
  res.prepare_payload();
  if (reply.status != 304 && res.body().size() != reply.content_length) {
    // HEAD: the length of what GET would send, with no body.
    res.content_length(reply.content_length);
  }
  write(std::move(res));
}

template <typename Stream>
void http_connection<Stream>::handle_api(request& req) {
  if (auto refusal = check_address(state_->ctx.limits, remote_address_)) {
    return send_json(refusal->status, refusal->body, refusal->headers);
  }
  http_input in{view(req.method_string()), view(req.target()),
                view(req[http::field::authorization]), req.body()};
  auto parsed = parse_rest(in, state_->ctx.config->limits);
  if (auto* refusal = std::get_if<rest_refusal>(&parsed)) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!refusal->allow.empty()) {
      headers.emplace_back("Allow", refusal->allow);
    }
    return send_json(refusal->status, actors::wire::error_body(refusal->error), headers);
  }
  if (state_->stopping) {
    return send_json(503, actors::wire::error_body({api_errc::unavailable, "node is stopping"}));
  }
  auto& call = std::get<actors::session::rest_call>(parsed);
  call.remote_address = remote_address_;
  call.user_agent = std::string(view(req[http::field::user_agent]).substr(0, 256));
  if (!api_) {
    api_ = actors::session::spawn_rest_session(state_->sys, &state_->ctx);
    api_id_ = state_->add_api(api_);
  }
  // The responder keeps the connection alive until the actor answers (no read is pending
  // meanwhile: one request at a time).
  actors::session::rest_responder reply = [self = this->shared_from_this()](
                                              actors::session::rest_reply r) {
    boost::asio::post(self->stream_.get_executor(),
                      [self, r = std::move(r)] { self->send_json(r.status, r.body, r.headers); });
  };
  if (auto refusal = admit_login(state_->ctx.limits, call, reply)) {
    return send_json(refusal->status, refusal->body, refusal->headers);
  }
  caf::anon_send(api_, actors::rest_atom::value, std::move(call), std::move(reply));
}

template <typename Stream>
void http_connection<Stream>::send_json(
    int status, const nlohmann::json& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  response res{static_cast<http::status>(status), version_};
  if (!body.is_null()) {
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  for (const auto& [name, value] : headers) {
    res.set(name, value);
  }
  if (status >= 400) {
    state_->ctx.metrics->http_errors.Increment();
  }
  send(std::move(res));
}

template <typename Stream>
void http_connection<Stream>::send(response res) {
  res.prepare_payload();
  write(std::move(res));
}

template <typename Stream>
void http_connection<Stream>::write(response res) {
  res.set(http::field::server, "plexichat");
  if (!request_id_.empty()) {
    res.set("X-Request-Id", request_id_);
    spdlog::info("{}", access_line({request_id_, api_ ? api_.id() : 0, method_, path_,
                                    static_cast<int>(res.result_int()), elapsed_ms(started_),
                                    remote_address_}));
    request_id_.clear();
  }
  if constexpr (is_tls<Stream>) {
    res.set(http::field::strict_transport_security, hsts_value);
  }
  res.keep_alive(keep_alive_);
  res_ = std::make_shared<response>(std::move(res));
  bool close = !keep_alive_;
  http::async_write(
      stream_, *res_,
      beast::bind_front_handler(&http_connection::on_write, this->shared_from_this(), close));
}

template <typename Stream>
void http_connection<Stream>::on_write(bool close, beast::error_code ec, std::size_t) {
  res_.reset();
  if (ec || close) {
    return do_close();
  }
  do_read();
}

template <typename Stream>
void http_connection<Stream>::do_close() {
  beast::error_code ec;
  // Over TLS too the TCP stream ends here, without a close_notify: every response is
  // length-delimited, so the client cannot be fooled by a cut, and the lingering close
  // below stays the same for both streams.
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  // Lingering close: read and drop what the client still sends (say, the rest of a body
  // that was too large) for a short while, so that closing does not reset the connection
  // before the client has read the answer.
  tcp().expires_after(std::chrono::seconds{2});
  do_drain();
}

template <typename Stream>
void http_connection<Stream>::do_drain() {
  drain_.resize(16 * 1024);
  tcp().async_read_some(boost::asio::buffer(drain_),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          if (!ec) {
                            self->do_drain();
                          }
                        });
}

template class http_connection<plain_stream>;
template class http_connection<tls_stream>;

}  // namespace plexichat::net
