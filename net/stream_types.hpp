#pragma once

#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace plexichat::net {

/// Each client connection runs on its own strand, named by its type rather than held in
/// asio's type-erased any_io_executor: a copy of it never allocates, where each `prefer` of
/// an any_io_executor holding a strand did (every pending read of an idle connection
/// carried such copies, and each operation queued made more).
using conn_executor = boost::asio::strand<boost::asio::io_context::executor_type>;
using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, conn_executor>;

/// The two streams a client connection runs over: plain TCP, or TLS over TCP (when the
/// config names a certificate). http_connection and ws_connection are templates on it.
using plain_stream = boost::beast::basic_stream<boost::asio::ip::tcp, conn_executor,
                                                boost::beast::unlimited_rate_policy>;
using tls_stream = boost::beast::ssl_stream<plain_stream>;

template <typename Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

/// What a WebSocket runs over once the upgrade is read: a plain connection gives up Beast's
/// basic_stream (its timers and its layer in every read and write: the WebSocket keeps its own
/// timeouts) for the bare socket; TLS keeps its stream.
template <typename Stream>
using ws_transport = std::conditional_t<is_tls<Stream>, Stream, tcp_socket>;

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
inline tcp_socket& transport_socket(tcp_socket& s) {
  return s;
}
inline tcp_socket& transport_socket(tls_stream& s) {
  return boost::beast::get_lowest_layer(s).socket();
}

/// Sent on every response over TLS (never over plain HTTP): a year of HTTPS only.
inline constexpr const char* hsts_value = "max-age=31536000";

}  // namespace plexichat::net
