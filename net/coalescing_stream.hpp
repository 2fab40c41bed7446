#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace plexichat::net {

/// A stream layer under a Beast WebSocket that can hold writes back and send them as one:
/// while `hold(true)`, what the WebSocket writes (whole frames) is copied into a buffer and
/// reported written at once; the next write made with `hold(false)` sends the buffer and its
/// own bytes in a single write to the next layer. A connection with several frames queued
/// writes all but the last held, so a burst costs one system call (and one TLS record)
/// instead of one per frame. Reads pass through. Beast keeps one write at a time on a
/// WebSocket, so bytes leave in the order they were written, pings and closes included.
template <class Next>
class coalescing_stream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;

  explicit coalescing_stream(Next&& next) : next_(std::move(next)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  /// Whether the writes from now on are held (true) or send what is held (false).
  void hold(bool on) { hold_ = on; }
  /// Bytes held and not yet sent.
  std::size_t held_bytes() const { return held_.size(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) { start_write(b, std::move(h)); }, handler, buffers);
  }

 private:
  template <class ConstBuffers, class Handler>
  void start_write(const ConstBuffers& buffers, Handler h) {
    auto n = boost::asio::buffer_size(buffers);
    if (!hold_ && held_.empty()) {
      next_.async_write_some(buffers, std::move(h));
      return;
    }
    append(buffers);
    if (hold_) {
      // Completes as if written; never inline (Beast's composed operations require that).
      boost::asio::post(get_executor(),
                        boost::beast::bind_handler(std::move(h), boost::beast::error_code{}, n));
      return;
    }
    boost::asio::async_write(
        next_, boost::asio::buffer(held_),
        [this, n, h = std::move(h)](boost::beast::error_code ec, std::size_t) mutable {
          release();
          std::move(h)(ec, ec ? 0 : n);
        });
  }

  /// Empties the buffer; gives its memory back after a large burst, so that an idle
  /// connection keeps little.
  void release() {
    if (held_.capacity() > max_kept_capacity) {
      std::string{}.swap(held_);
    } else {
      held_.clear();
    }
  }

  template <class ConstBuffers>
  void append(const ConstBuffers& buffers) {
    for (auto i = boost::asio::buffer_sequence_begin(buffers);
         i != boost::asio::buffer_sequence_end(buffers); ++i) {
      boost::asio::const_buffer b = *i;
      held_.append(static_cast<const char*>(b.data()), b.size());
    }
  }

  static constexpr std::size_t max_kept_capacity = 16 * 1024;

  Next next_;
  std::string held_;
  bool hold_ = false;
};

/// Closing a WebSocket tears down the layer under the coalescing one (Beast finds these by
/// argument-dependent lookup).
template <class Next>
void teardown(boost::beast::role_type role, coalescing_stream<Next>& s,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, coalescing_stream<Next>& s, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

}  // namespace plexichat::net
