#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// The node's access log: one structured line per HTTP request (key=value, after the
/// logger's time, level and node=), with a request id that the response carries back in
/// X-Request-Id, so that an operator finds a client's request in the log. Plain functions.
namespace plexichat::net {

/// The id of a request: the client's X-Request-Id when it is 1..64 characters of
/// [A-Za-z0-9._-], else a fresh random one (16 hex digits).
std::string request_id(std::string_view client_value);

/// A request target as the log shows it: the path without the query, at most 200 bytes,
/// every byte outside printable ASCII and every space, '"' or '\' as '?' (no log injection).
std::string log_path(std::string_view target);

/// What one line tells.
struct access_entry {
  std::string_view request_id;
  uint64_t actor = 0;  ///< the REST session actor that served it (console `actor ID`); 0: none
  std::string_view method;
  std::string_view path;  ///< log_path()
  int status = 0;
  double ms = 0;  ///< from the request read to the response handed to the socket
  std::string_view address;
};

/// "http request=ID actor=N method=GET path=/api/v1/channels status=200 ms=0.8
/// address=127.0.0.1" (actor=- without one).
std::string access_line(const access_entry& e);

}  // namespace plexichat::net
