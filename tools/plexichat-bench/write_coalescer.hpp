#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace plexichat::bench {

/// The layer under a client's Beast WebSocket that gathers the frames written in one burst
/// into one system call, as a pipelining client does (NATS clients buffer their publishes the
/// same way). Beast's writes are copied and reported written at once (never inline); the
/// bytes go to the socket once `quiet_turns` turns of the event loop have passed without
/// another write to this stream, or when max_pending bytes wait, with one socket write in
/// flight (a failed one fails the writes after it, and closes the socket). A sender
/// answering a burst of acks with a burst of sends then costs the node one read per burst
/// instead of one per frame, and this tool one write. Reads pass through. One thread.
template <class Next>
class write_coalescer {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;

  /// A burst larger than this goes out in pieces of about this size.
  static constexpr std::size_t max_pending = 64 * 1024;
  static constexpr int quiet_turns = 2;

  explicit write_coalescer(executor_type ex) : next_(std::move(ex)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  /// Each check and socket write this layer has pending holds `owner` (the client this layer
  /// lives in) until it runs.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) {
          auto before = pending_.size();
          for (auto i = boost::asio::buffer_sequence_begin(b);
               i != boost::asio::buffer_sequence_end(b); ++i) {
            boost::asio::const_buffer piece = *i;
            pending_.append(static_cast<const char*>(piece.data()), piece.size());
          }
          ++appended_;
          boost::beast::error_code ec = failed_;
          auto n = ec ? 0 : pending_.size() - before;
          boost::asio::post(get_executor(), boost::beast::bind_handler(std::move(h), ec, n));
          if (pending_.size() >= max_pending) {
            flush();
          } else if (!check_posted_) {
            post_check();
          }
        },
        handler, buffers);
  }

 private:
  /// Flushes once `quiet_turns` turns of the loop have passed without a write (a sender's
  /// next send usually comes from the next frame read, one turn later).
  void post_check(int quiet = 0) {
    check_posted_ = true;
    boost::asio::post(get_executor(), [this, keep = owner_.lock(), seen = appended_, quiet] {
      check_posted_ = false;
      if (appended_ != seen) {
        post_check(0);
      } else if (quiet + 1 < quiet_turns) {
        post_check(quiet + 1);
      } else {
        flush();
      }
    });
  }

  void flush() {
    if (writing_ || pending_.empty() || failed_) {
      return;
    }
    writing_ = true;
    in_flight_.swap(pending_);
    boost::asio::async_write(
        next_, boost::asio::buffer(in_flight_),
        [this, keep = owner_.lock()](boost::beast::error_code ec, std::size_t) {
          writing_ = false;
          in_flight_.clear();
          if (ec) {
            failed_ = ec;  // later writes fail; the pending read ends too
            pending_.clear();
            boost::beast::error_code ignored;
            next_.close(ignored);
            return;
          }
          flush();
        });
  }

  Next next_;
  std::weak_ptr<void> owner_;
  std::string pending_;    ///< written by Beast, not yet on the socket
  std::string in_flight_;  ///< the socket write in flight
  std::uint64_t appended_ = 0;
  boost::beast::error_code failed_;
  bool writing_ = false;
  bool check_posted_ = false;
};

/// Closing a WebSocket tears down the socket under this layer (found by argument-dependent
/// lookup).
template <class Next>
void teardown(boost::beast::role_type role, write_coalescer<Next>& s,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, write_coalescer<Next>& s, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

}  // namespace plexichat::bench
