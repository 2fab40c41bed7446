#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <caf/actor.hpp>

#include "actors/wire.hpp"
#include "net/coalescing_stream.hpp"
#include "net/outbound_queue.hpp"
#include "net/server_state.hpp"
#include "net/stream_types.hpp"
#include "net/ws_link.hpp"
#include "runtime/token_bucket.hpp"

namespace plexichat::net {

/// One client WebSocket (/api/v1/ws), paired with a session actor. Reads frames, parses
/// them and hands them to the actor; writes what the actor sends, one write in flight and a
/// bounded queue behind it; the frames queued at once go out in one write
/// (coalescing_stream). All members are touched only on the connection's strand; the
/// actor reaches it through post_send/post_close, which post onto that strand. Frames
/// beyond rate_limits.ws_frames close the connection with 4008. Stream is plain_stream or
/// tls_stream, taken over from the http_connection that read the upgrade request.
template <typename Stream>
class ws_connection : public ws_link, public std::enable_shared_from_this<ws_connection<Stream>> {
 public:
  ws_connection(Stream&& stream, std::shared_ptr<server_state> state);
  ~ws_connection() override;

  /// Accepts the upgrade request and starts the session.
  void run(boost::beast::http::request<boost::beast::http::string_body> req);

  /// Thread-safe: queue a frame / close with a code after the queued frames.
  void post_send(actors::wire::frame frame) override;
  void post_close(uint16_t code, std::string reason) override;
  void abandon() override { on_closed(); }
  std::size_t queued() const override { return queued_.load(std::memory_order_relaxed); }

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_send(actors::wire::frame frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void start_close(uint16_t code, std::string reason, bool flush);
  void do_close();
  void on_closed();
  bool over_rate();

  boost::beast::websocket::stream<coalescing_stream<ws_transport<Stream>>> ws_;
  /// Frames are read a chunk at a time into chunk_, so that an idle connection's pending
  /// read holds no buffer of its own; a message longer than one chunk is gathered in
  /// message_, which is released once it is handed on.
  std::array<char, 512> chunk_;
  std::string message_;
  std::shared_ptr<server_state> state_;
  outbound_queue queue_;
  std::atomic<std::size_t> queued_{0};
  boost::asio::steady_timer close_timer_;
  std::optional<runtime::token_bucket> frames_;  ///< none when rate_limits.ws_frames.rate is 0
  caf::actor session_;
  uint64_t registry_id_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool closed_ = false;
  uint16_t close_code_ = 1000;
  std::string close_reason_;
};

}  // namespace plexichat::net
