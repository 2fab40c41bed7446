#pragma once

#include <type_traits>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace plexichat::net {

/// The two streams a client connection runs over: plain TCP, or TLS over TCP (when the
/// config names a certificate). http_connection and ws_connection are templates on it.
using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <typename Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

/// Sent on every response over TLS (never over plain HTTP): a year of HTTPS only.
inline constexpr const char* hsts_value = "max-age=31536000";

}  // namespace plexichat::net
