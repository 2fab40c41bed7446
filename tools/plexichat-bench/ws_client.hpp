#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "tools/plexichat-bench/frame_scan.hpp"
#include "tools/plexichat-bench/seq_tracker.hpp"
#include "tools/plexichat-bench/write_coalescer.hpp"

namespace plexichat::bench {

class ws_client;

/// What a scenario hears from its WebSocket clients; called on the io_context's thread.
class ws_sink {
 public:
  virtual ~ws_sink() = default;
  /// Authenticated, and subscribed when a channel was given.
  virtual void on_open(ws_client& c) = 0;
  /// Every frame after on_open.
  virtual void on_frame(ws_client& c, const scanned_frame& f) = 0;
  /// Once, when opening failed or the connection ended; not after close().
  virtual void on_failed(ws_client& c, const std::string& why) = 0;
};

/// One client WebSocket to the node: binds its source address, connects, upgrades,
/// authenticates, optionally subscribes, then reads every frame into its sink (Beast
/// answers the node's pings). Writes go through a queue with one write in flight, and the
/// frames of one burst reach the socket in one system call (write_coalescer). Owned
/// by shared_ptr (its handlers keep it alive); one thread.
///
/// The socket and timer name the io_context's executor type instead of Beast's tcp_stream
/// and asio's type-erased executor: copying and destroying that executor on every read was
/// about 8% of the tool's CPU at 700k deliveries a second (tools/plexichat-bench/README.md).
class ws_client : public std::enable_shared_from_this<ws_client> {
 public:
  ws_client(boost::asio::io_context& io, size_t index, ws_sink& sink);

  /// `channel_id` empty: do not subscribe.
  void open(const boost::asio::ip::tcp::endpoint& node,
            const boost::asio::ip::tcp::endpoint& source, std::string token,
            std::string channel_id);
  void send(std::string text);
  /// Closes the socket; no more callbacks.
  void close();

  [[nodiscard]] size_t index() const { return index_; }
  [[nodiscard]] bool is_open() const { return state_ == state::open; }
  [[nodiscard]] size_t queued_writes() const { return writes_.size(); }
  /// This connection's view of its subscribed channel's seqs.
  seq_tracker& tracker() { return tracker_; }

 private:
  enum class state { connecting, authenticating, subscribing, open, closed };

  void on_connect();
  void do_read();
  void on_read(std::string_view text);
  void handshake_step(const scanned_frame& f);
  void do_write();
  void fail(const std::string& why);

  using executor = boost::asio::io_context::executor_type;
  using socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor>;
  using timer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, executor>;

  boost::beast::websocket::stream<write_coalescer<socket>> ws_;
  timer connect_timer_;  ///< bounds the TCP connect; Beast's own timer bounds the upgrade
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> writes_;
  ws_sink& sink_;
  std::string token_;
  std::string channel_id_;
  seq_tracker tracker_;
  size_t index_;
  state state_ = state::connecting;
};

/// A `send` frame of this tool's content.
[[nodiscard]] std::string send_frame(const std::string& channel_id, std::string_view content,
                                     std::string_view nonce);

}  // namespace plexichat::bench
