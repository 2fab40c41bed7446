#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/embedded_assets.hpp"

namespace plexichat::net {

/// The Content-Security-Policy of every web client response: scripts, styles and connections
/// (WebSocket included) only from the node itself, nothing inline, no framing.
inline constexpr std::string_view web_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

/// An answer for the web client, ready for the connection to write.
struct static_reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  ///< Content-Type included
  std::string body;                                          ///< empty for HEAD and 304
  /// The Content-Length to announce: the body's, or for HEAD the GET body's.
  std::size_t content_length = 0;
};

/// Serves the embedded web client: `/` and `/index.html` (revalidated on every load),
/// content-hashed files under `/assets/` (cached for a year, immutable), GET and HEAD, ETag
/// and If-None-Match (304), and the security headers (CSP, nosniff, no referrer). Stateless
/// and read-only: safe from any I/O thread.
class static_files {
 public:
  explicit static_files(std::span<const web::embedded_asset> assets) : assets_(assets) {}

  /// The answer for a request, or nullopt when `path` (without query) is not the client's:
  /// the caller answers it (the API's 404). `/` without a built client answers 404 saying
  /// so; an unknown `/assets/` file 404; another method than GET or HEAD 405.
  [[nodiscard]] std::optional<static_reply> serve(std::string_view method, std::string_view path,
                                                  std::string_view if_none_match) const;

 private:
  [[nodiscard]] const web::embedded_asset* find(std::string_view path) const;

  std::span<const web::embedded_asset> assets_;
};

/// Whether an If-None-Match header value matches `etag` (RFC 9110 13.1.2: `*`, or any
/// listed tag equal by the weak comparison).
[[nodiscard]] bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace plexichat::net
