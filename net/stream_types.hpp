#pragma once

#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace plexichat::net {

/// The two streams a client connection runs over: plain TCP, or TLS over TCP (when the
/// config names a certificate). http_connection and ws_connection are templates on it.
using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <typename Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

/// What a WebSocket runs over once the upgrade is read: a plain connection gives up Beast's
/// tcp_stream (its timers and its layer in every read and write: the WebSocket keeps its own
/// timeouts) for the bare socket; TLS keeps its stream.
template <typename Stream>
using ws_transport = std::conditional_t<is_tls<Stream>, Stream, boost::asio::ip::tcp::socket>;

/// `stream` as the WebSocket's transport (ws_transport).
template <typename Stream>
ws_transport<Stream> to_ws_transport(Stream&& stream) {
  if constexpr (is_tls<Stream>) {
    return std::move(stream);
  } else {
    return stream.release_socket();
  }
}

/// The TCP socket under a WebSocket's transport.
inline boost::asio::ip::tcp::socket& transport_socket(boost::asio::ip::tcp::socket& s) {
  return s;
}
inline boost::asio::ip::tcp::socket& transport_socket(tls_stream& s) {
  return boost::beast::get_lowest_layer(s).socket();
}

/// Sent on every response over TLS (never over plain HTTP): a year of HTTPS only.
inline constexpr const char* hsts_value = "max-age=31536000";

}  // namespace plexichat::net
