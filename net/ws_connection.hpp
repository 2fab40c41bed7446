#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <caf/actor.hpp>

#include "actors/wire.hpp"
#include "net/send_stream.hpp"
#include "net/server_state.hpp"
#include "net/stream_types.hpp"
#include "net/ws_link.hpp"
#include "runtime/token_bucket.hpp"

namespace plexichat::net {

/// One client WebSocket (/api/v1/ws), paired with a session actor. Reads frames, parses
/// them and hands them to the actor; writes what the actor sends through send_stream (one
/// write in flight, the frames queued meanwhile go out together in the next), at most
/// limits.outbound_queue_frames waiting, or the connection closes with 4009. All members are
/// touched only on the connection's strand; the actor reaches it through post_send/post_close,
/// which post onto that strand. Frames beyond rate_limits.ws_frames close the connection with 4008.
/// Stream is plain_stream or tls_stream, taken over from the http_connection that read the upgrade
/// request.
template <typename Stream>
class ws_connection : public ws_link, public std::enable_shared_from_this<ws_connection<Stream>> {
 public:
  ws_connection(Stream&& stream, std::shared_ptr<server_state> state);
  ~ws_connection() override;

  /// Accepts the upgrade request and starts the session.
  void run(boost::beast::http::request<boost::beast::http::string_body> req);

  /// Thread-safe: queue a frame / close with a code after the queued frames.
  void post_send(actors::wire::frame frame) override;
  void post_send(std::vector<actors::wire::frame> frames) override;
  void post_send_framed(actors::wire::frame framed, std::size_t frames) override;
  void post_close(uint16_t code, std::string reason) override;
  void abandon() override { on_closed(); }
  void check_idle(std::chrono::steady_clock::time_point now) override;
  /// Frames posted or queued, never fewer: posted_ is read first, and a frame leaves it only
  /// once it is on the queue, so a frame in between is counted (at most twice), never missed.
  std::size_t queued() const override {
    auto posted = posted_.load(std::memory_order_acquire);
    return out_.frames_waiting() + posted;
  }

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  /// Queues a frame and, with `flush`, starts writing; false (and the connection closing)
  /// when it cannot be sent.
  bool enqueue(actors::wire::frame frame, bool flush = true);
  /// Whether `frames` more frames may be queued: false when the connection is closing, or
  /// when the outbound queue cannot take them (then it closes with 4009, dropping what waits).
  bool has_room(std::size_t frames);
  void start_close(uint16_t code, std::string reason, bool flush);
  void do_close(uint16_t code, std::string reason);
  void on_closed();
  bool over_rate();
  /// The client sent something (a frame, or a ping, pong or close).
  void heard();
  /// When heard() last ran; any thread.
  std::chrono::steady_clock::time_point last_heard() const {
    using clock = std::chrono::steady_clock;
    return clock::time_point{clock::duration{heard_.load(std::memory_order_relaxed)}};
  }
  /// On the strand, for check_idle: pings once, or drops the silent client.
  void on_idle(std::chrono::milliseconds timeout);

  /// The socket and its writes. Beast's stream refers to it rather than holding it, and
  /// has no permessage-deflate (the node never offers it): its state then fits jemalloc's
  /// 2,560-byte size class instead of the 3,072 one, half a KiB less per connection.
  send_stream<ws_transport<Stream>> out_;
  boost::beast::websocket::stream<send_stream<ws_transport<Stream>>&, false> ws_;
  /// Frames are read a chunk at a time into chunk_, so that an idle connection's pending
  /// read holds no buffer of its own; a message longer than one chunk (most client frames
  /// fit) is gathered in message_, which is released once it is handed on.
  /// 224 bytes: a client's send frame of 100 bytes of content takes one read (about 190),
  /// and the connection, with its shared_ptr's control block, fits jemalloc's 512-byte size
  /// class (each member below is kept small for that too).
  std::array<char, 224> chunk_;
  std::unique_ptr<std::string> message_;
  std::shared_ptr<server_state> state_;
  /// Made when the connection starts closing: an open connection carries no timer.
  std::unique_ptr<boost::asio::steady_timer> close_timer_;
  /// Frames the client may still send (rate_limits.ws_frames, unlimited at rate 0).
  runtime::bucket_level frames_;
  caf::actor session_;
  /// When the client last sent anything, in steady_clock ticks; read by the idle sweep.
  std::atomic<std::chrono::steady_clock::rep> heard_{0};
  std::atomic<uint32_t> posted_{0};  ///< frames handed to post_send, not yet on the queue
  bool closing_ = false;
  bool closed_ = false;
  bool pinged_ = false;  ///< since the client was last heard
};

}  // namespace plexichat::net
