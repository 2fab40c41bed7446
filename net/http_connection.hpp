#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <caf/actor.hpp>

#include "actors/session/rest_call.hpp"
#include "net/server_state.hpp"
#include "net/static_files.hpp"
#include "net/stream_types.hpp"

namespace plexichat::net {

/// One client HTTP/1.1 connection: reads requests within the configured header, body and
/// time limits, answers the operations endpoints and the web client (static_files) itself,
/// upgrades /api/v1/ws, and hands REST calls to its actor (spawned on the first call), whose
/// reply is posted back onto this connection's strand. One request at a time. Stream is
/// plain_stream or tls_stream (then the TLS handshake comes first and every response carries
/// Strict-Transport-Security).
template <typename Stream>
class http_connection : public std::enable_shared_from_this<http_connection<Stream>> {
 public:
  http_connection(Stream&& stream, std::shared_ptr<server_state> state);
  ~http_connection();

  void run();

 private:
  void on_handshake(boost::beast::error_code ec);
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(request& req);
  void handle_api(request& req);
  void send_json(int status, const nlohmann::json& body,
                 const std::vector<std::pair<std::string, std::string>>& headers = {});
  void send_static(static_reply reply);
  /// GET /readyz: storage open and not stopping; in a cluster also a majority in view.
  void send_readiness();
  /// Prepares the payload (Content-Length) and writes.
  void send(response res);
  /// Writes a response whose payload is already prepared.
  void write(response res);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void do_drain();

  plain_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }

  Stream stream_;
  std::string remote_address_;  ///< the peer's IP address, read once at accept
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<server_state> state_;
  std::shared_ptr<response> res_;
  std::vector<char> drain_;
  caf::actor api_;
  uint64_t api_id_ = 0;  ///< api_'s entry in the listener's state
  unsigned version_ = 11;
  bool keep_alive_ = true;
  // The request being answered, for its access log line (access_log.hpp).
  std::string request_id_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace plexichat::net
