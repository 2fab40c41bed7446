#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/container/small_vector.hpp>

#include "actors/wire.hpp"

namespace plexichat::net {

/// Whether a write over `Next` must be one buffer: asio's TLS stream writes only the first
/// buffer of a sequence per record, so a gathered write would cost a record per buffer.
template <class Next>
struct writes_one_buffer : std::false_type {};
template <class Next>
struct writes_one_buffer<boost::beast::ssl_stream<Next>> : std::true_type {};

/// The layer under a server's Beast WebSocket that owns the socket's writes. Three kinds of
/// writes share one queue, in order, with one write in flight:
/// - the connection's messages (send_text): each shared frame is queued as is, and framed
///   (an unmasked, final text frame, its header written by Beast's frame writer) only when a
///   write takes it. A burst costs one system call (and one TLS record) instead of one Beast
///   write operation per frame;
/// - frames already framed (queue_framed): a channel's fan-out, framed once for all its
///   subscribers (wire::ws_text_frames). Over plain TCP a write gathers them from the shared
///   buffer itself, without copying them (the kernel copies them once, as it must);
/// - Beast's own writes (the handshake answer, pings, pongs, the close frame): copied, and
///   reported written once they are on the socket.
/// A write takes everything queued, up to max_write bytes. Reads pass through. Touched only
/// on the connection's strand, except frames_waiting().
template <class Next>
class send_stream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;

  /// A write takes frames until it carries this many bytes (the rest wait for the next).
  static constexpr std::size_t max_write = 64 * 1024;

  explicit send_stream(Next&& next) : next_(std::move(next)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  /// Each write in flight holds `owner` (the connection this layer lives in) until it ends.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  /// Queues a message, sent as one text frame after everything queued before it.
  void send_text(actors::wire::frame text) {
    queue_text(std::move(text));
    flush();
  }

  /// Queues a message without starting a write: the next flush() (or a write in flight,
  /// when it ends) takes it, so messages queued together go out in one write.
  void queue_text(actors::wire::frame text) {
    items_.push_back({std::move(text), nullptr});
    frames_waiting_.fetch_add(1, std::memory_order_relaxed);
  }

  /// Queues `frames` frames already framed (wire::ws_text_frames), without starting a write.
  /// None: nothing is queued.
  void queue_framed(actors::wire::frame framed, std::size_t frames) {
    if (frames == 0) {
      return;
    }
    items_.push_back({std::move(framed), nullptr, frames});
    frames_waiting_.fetch_add(frames, std::memory_order_relaxed);
  }

  /// Starts writing what is queued, unless a write is in flight.
  void flush() {
    if (!writing_) {
      write_queued();
    }
  }

  /// Messages queued or in the write in flight. Safe from any thread.
  std::size_t frames_waiting() const { return frames_waiting_.load(std::memory_order_relaxed); }

  /// Drops the queued messages that no write has taken yet; Beast's writes stay.
  void drop_queued_frames() {
    std::vector<item> kept;
    for (std::size_t i = head_; i < items_.size(); ++i) {
      if (items_[i].beast) {
        kept.push_back(std::move(items_[i]));
      } else {
        frames_waiting_.fetch_sub(items_[i].frames(), std::memory_order_relaxed);
      }
    }
    items_ = std::move(kept);
    head_ = 0;
  }

  /// Drops everything no write has taken, Beast's waiting writes too (their handlers are
  /// destroyed, never run): the connection is over.
  void discard() {
    for (std::size_t i = head_; i < items_.size(); ++i) {
      if (!items_[i].beast) {
        frames_waiting_.fetch_sub(items_[i].frames(), std::memory_order_relaxed);
      }
    }
    release_items();
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  /// Beast's writes: queued as they are; the handler runs once they are written.
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) {
          auto bytes = std::make_shared<std::string>();
          for (auto i = boost::asio::buffer_sequence_begin(b);
               i != boost::asio::buffer_sequence_end(b); ++i) {
            boost::asio::const_buffer piece = *i;
            bytes->append(static_cast<const char*>(piece.data()), piece.size());
          }
          auto n = bytes->size();
          items_.push_back(
              {std::move(bytes), std::make_unique<waiter_for<decltype(h)>>(std::move(h), n)});
          if (!writing_) {
            write_queued();
          }
        },
        handler, buffers);
  }

 private:
  /// A Beast write's handler, kept until its bytes are on the socket.
  struct waiter {
    virtual ~waiter() = default;
    virtual void done(executor_type ex, boost::beast::error_code ec) = 0;
  };

  template <class Handler>
  struct waiter_for final : waiter {
    waiter_for(Handler h, std::size_t n) : handler(std::move(h)), bytes(n) {}
    void done(executor_type ex, boost::beast::error_code ec) override {
      // Never inline: Beast's composed operations require that.
      boost::asio::post(ex, boost::beast::bind_handler(std::move(handler), ec, ec ? 0 : bytes));
    }
    Handler handler;
    std::size_t bytes;
  };

  /// A message to frame (no waiter), frames already framed (`framed` of them), or bytes
  /// Beast wrote (with its waiter).
  struct item {
    actors::wire::frame bytes;
    std::unique_ptr<waiter> beast;
    std::size_t framed = 0;
    std::size_t frames() const { return framed > 0 ? framed : 1; }
  };

  static constexpr bool gathers = !writes_one_buffer<Next>::value;

  /// A gathered write's pieces, from the first framed item it takes until it completes: its
  /// buffers, in order (into out_ and into the framed items), and the framed items. Only a
  /// write with a framed item has one: the others write out_ alone, with a write operation
  /// as small as before.
  struct gathered {
    boost::container::small_vector<boost::asio::const_buffer, 4> buffers;
    boost::container::small_vector<actors::wire::frame, 2> held;
  };
  /// A gathered write's buffers as asio takes them (it copies the sequence, not the buffers).
  struct pieces {
    const boost::asio::const_buffer* first;
    const boost::asio::const_buffer* last;
    const boost::asio::const_buffer* begin() const { return first; }
    const boost::asio::const_buffer* end() const { return last; }
  };

  void write_queued() {
    // What this write takes: everything queued, up to about max_write bytes. Framed items
    // are gathered where they are; the rest is copied into out_, which never reallocates
    // while the pieces point into it.
    std::size_t take = head_;
    std::size_t bytes = 0;
    std::size_t copied = 0;
    while (take < items_.size() && bytes < max_write) {
      const auto& it = items_[take++];
      auto n = it.bytes->size() + (it.framed > 0 ? 0 : actors::wire::max_ws_header);
      bytes += n;
      if (!(gathers && it.framed > 0)) {
        copied += n;
      }
    }
    if (take == head_) {
      return;
    }
    out_.reserve(copied);
    std::unique_ptr<gathered> g;
    std::size_t copied_from = 0;  // out_'s bytes before this are in g's buffers
    auto add_copied = [&] {
      if (out_.size() > copied_from) {
        g->buffers.emplace_back(out_.data() + copied_from, out_.size() - copied_from);
        copied_from = out_.size();
      }
    };
    std::vector<std::unique_ptr<waiter>> beast;
    std::size_t frames = 0;
    for (; head_ < take; ++head_) {
      auto& it = items_[head_];
      if (it.beast) {
        beast.push_back(std::move(it.beast));
      } else if (it.framed > 0) {
        frames += it.framed;
        if (gathers) {
          if (!g) {
            g = std::make_unique<gathered>();
          }
          add_copied();
          g->buffers.emplace_back(it.bytes->data(), it.bytes->size());
          g->held.push_back(std::move(it.bytes));
          continue;
        }
      } else {
        actors::wire::append_ws_header(out_, it.bytes->size());
        ++frames;
      }
      out_.append(*it.bytes);
      it.bytes.reset();
    }
    if (head_ == items_.size()) {
      release_items();
    } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    writing_ = true;
    std::optional<pieces> gathered_buffers;
    if (g) {
      add_copied();
      gathered_buffers = pieces{g->buffers.data(), g->buffers.data() + g->buffers.size()};
    }
    auto done = [this, keep = owner_.lock(), beast = std::move(beast), g = std::move(g), frames](
                    boost::beast::error_code ec, std::size_t) mutable {
      g.reset();
      on_written(ec, beast, frames);
    };
    if (gathered_buffers) {
      boost::asio::async_write(next_, *gathered_buffers, std::move(done));
    } else {
      boost::asio::async_write(next_, boost::asio::buffer(out_), std::move(done));
    }
  }

  void on_written(boost::beast::error_code ec, std::vector<std::unique_ptr<waiter>>& beast,
                  std::size_t frames) {
    writing_ = false;
    frames_waiting_.fetch_sub(frames, std::memory_order_relaxed);
    for (auto& w : beast) {
      w->done(get_executor(), ec);
    }
    out_.clear();
    if (ec) {
      // Nothing more can be sent: close the socket, so that the connection's pending read
      // ends too, and the connection with it.
      discard();
      std::string{}.swap(out_);
      boost::beast::close_socket(boost::beast::get_lowest_layer(next_));
      return;
    }
    if (head_ == items_.size()) {
      std::string{}.swap(out_);  // idle: keep no buffer
      return;
    }
    write_queued();
  }

  /// An empty queue keeps no memory: an idle connection holds nothing here.
  void release_items() {
    items_.clear();
    items_.shrink_to_fit();
    head_ = 0;
  }

  Next next_;
  std::weak_ptr<void> owner_;
  std::vector<item> items_;  ///< from head_ on: not yet taken by a write
  std::size_t head_ = 0;
  std::string out_;  ///< the write in flight
  std::atomic<std::size_t> frames_waiting_{0};
  bool writing_ = false;
};

/// Closing a WebSocket tears down the layer under this one (Beast finds these by
/// argument-dependent lookup).
template <class Next>
void teardown(boost::beast::role_type role, send_stream<Next>& s, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, send_stream<Next>& s, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

}  // namespace plexichat::net
