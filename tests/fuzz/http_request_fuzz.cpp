// Fuzzes HTTP request handling up to the handler: raw bytes -> Boost.Beast's request parser
// with the node's header and body limits -> what net/http_connection.cpp decides before it
// hands a request to an actor (limits, Transfer-Encoding, upgrade, operations endpoints) ->
// parse_rest into a typed call or a refusal. Keep-alive requests are read one after another
// from the same bytes, as the connection does. No sockets: a stream serves the input.
//
// Invariants: a refusal has a PROTOCOL.md code, a 4xx status that goes with it (405 with an
// Allow header) and a UTF-8 message; an accepted call has its route's method and only fields
// within the limits; the outcome does not depend on how the bytes are split into reads.

// Boost's asserts come to assertion_failed below, which lets through one known-wrong assert of
// Beast 1.74 and aborts on every other.
#define BOOST_ENABLE_ASSERT_HANDLER

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "actors/wire.hpp"
#include "config/node_config.hpp"
#include "net/rest_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/rest_call_checks.hpp"

namespace boost {

// Beast 1.74 asserts n >= 5 in parse_chunk_header when the last chunk "0\r\n" came in an
// earlier read than the rest, though 3 or 4 bytes are fine there and the parser goes on
// correctly (boostorg/beast pull request 2861, fixed in Boost 1.86). Only builds without
// NDEBUG abort on it; see README.md.
void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header")) {
    return;
  }
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using plexichat::actors::api_errc;
using plexichat::actors::api_error;
using plexichat::actors::session::rest_call;
using plexichat::net::rest_refusal;

const plexichat::config::limits_config limits{};

/// A SyncReadStream over the fuzz input that returns at most `chunk` bytes per read, then eof.
class input_stream {
 public:
  input_stream(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    if (pos_ == data_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    auto n = std::min(chunk_, data_.size() - pos_);
    n = boost::asio::buffer_copy(buffers, boost::asio::buffer(data_.data() + pos_, n));
    pos_ += n;
    ec = {};
    return n;
  }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    auto n = read_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return n;
  }

 private:
  std::string_view data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

using request = http::request<http::string_body>;

/// One answered request: its outcome as text (compared across read sizes) and whether the
/// connection reads another request after it.
struct answer {
  std::string outcome;
  bool keep_alive = false;
};

answer refused(int status, const api_error& e) {
  FUZZ_CHECK(plexichat::fuzz::is_client_error(e));
  FUZZ_CHECK(status >= 400 && status < 500);
  // The body the connection sends; dump() throws on invalid UTF-8.
  auto body = plexichat::actors::wire::error_body(e).dump();
  return {std::to_string(status) + " " + body, false};
}

answer check_refusal(const rest_refusal& r) {
  if (r.status == 405) {
    FUZZ_CHECK(r.error.code == api_errc::invalid_request && !r.allow.empty());
  } else {
    FUZZ_CHECK(r.status == plexichat::actors::http_status(r.error.code) && r.allow.empty());
  }
  auto a = refused(r.status, r.error);
  a.outcome += " allow=" + r.allow;
  return a;
}

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

/// What http_connection::handle and handle_api do with a complete request.
answer handle(const request& req) {
  if (req.count(http::field::transfer_encoding) > 0 && !req.chunked()) {
    return refused(400, {api_errc::invalid_request, "unsupported Transfer-Encoding"});
  }
  if (beast::websocket::is_upgrade(req)) {
    if (req.target() != "/api/v1/ws") {
      return refused(404, {api_errc::not_found, "no such endpoint"});
    }
    return {"upgrade", false};
  }
  auto target = view(req.target());
  auto path = target.substr(0, target.find('?'));
  if (req.method() == http::verb::get &&
      (path == "/healthz" || path == "/readyz" || path == "/metrics")) {
    return {"operations " + std::string{path}, req.keep_alive()};
  }
  plexichat::net::http_input in{view(req.method_string()), target,
                                view(req[http::field::authorization]), req.body()};
  auto parsed = plexichat::net::parse_rest(in, limits);
  if (auto* refusal = std::get_if<rest_refusal>(&parsed)) {
    return check_refusal(*refusal);
  }
  const auto& call = std::get<rest_call>(parsed);
  plexichat::fuzz::check_rest_call(in, call, limits);
  return {plexichat::fuzz::describe(call), req.keep_alive()};
}

/// What http_connection::on_read does with the result of one read.
answer read_one(input_stream& stream, beast::flat_buffer& buffer) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec == http::error::body_limit) {
    return refused(413, {api_errc::too_large, "request body too large"});
  }
  if (ec == http::error::header_limit) {
    refused(431, {api_errc::too_large, "request headers too large"});
    return {"malformed", false};
  }
  if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    refused(400, {api_errc::invalid_request, "malformed HTTP request"});
    return {"malformed", false};
  }
  if (ec == http::error::partial_message) {
    // Beast may see a malformed header only once the rest of it arrives (it looks for the
    // end of the header first when the bytes come in pieces), so 400, 431 and "closed before
    // the request was complete" are one outcome here: refused, connection closed.
    return {"malformed", false};
  }
  if (ec) {
    return {"close " + ec.message(), false};
  }
  FUZZ_CHECK(parser.is_done());
  auto req = parser.release();
  FUZZ_CHECK(req.body().size() <= limits.max_body_bytes);
  return handle(req);
}

/// The outcomes of every request the connection would read from `data`.
std::vector<std::string> serve(std::string_view data, std::size_t chunk) {
  input_stream stream(data, chunk);
  beast::flat_buffer buffer;
  std::vector<std::string> outcomes;
  // A bound on pipelined requests keeps one input cheap; eight cover keep-alive well.
  for (int i = 0; i < 8; ++i) {
    auto a = read_one(stream, buffer);
    outcomes.push_back(std::move(a.outcome));
    if (!a.keep_alive) {
      break;
    }
  }
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto whole = serve(input, input.size() + 1);
  // Beast 1.74 applies the header limit to what it has buffered, and from the start line or
  // from the fields depending on what came in one read, so near the limit the outcome depends
  // on the reads (see README.md). Below the limit it must not.
  if (size >= limits.max_header_bytes) {
    return 0;
  }
  // Small, varying reads split the start line, headers and chunk sizes at every place.
  auto split = serve(input, 1 + size % 13);
  if (whole != split) {
    for (const auto& o : whole) {
      std::fprintf(stderr, "read at once: %s\n", o.c_str());
    }
    for (const auto& o : split) {
      std::fprintf(stderr, "read in %zu-byte pieces: %s\n", 1 + size % 13, o.c_str());
    }
  }
  FUZZ_CHECK(whole == split);
  return 0;
}
