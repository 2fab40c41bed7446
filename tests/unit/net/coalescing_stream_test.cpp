#include "net/coalescing_stream.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

namespace plexichat::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

/// A next layer that records each write it is asked for and completes it in full.
class recording_stream {
 public:
  using executor_type = asio::io_context::executor_type;

  explicit recording_stream(asio::io_context& ioc) : ioc_(&ioc) {}

  executor_type get_executor() noexcept { return ioc_->get_executor(); }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers&, Handler&& h) {
    asio::post(get_executor(),
               beast::bind_handler(std::forward<Handler>(h), asio::error::eof, std::size_t{0}));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& h) {
    std::string w;
    for (auto i = asio::buffer_sequence_begin(buffers); i != asio::buffer_sequence_end(buffers);
         ++i) {
      asio::const_buffer b = *i;
      w.append(static_cast<const char*>(b.data()), b.size());
    }
    auto n = w.size();
    writes.push_back(std::move(w));
    asio::post(get_executor(),
               beast::bind_handler(std::forward<Handler>(h), beast::error_code{}, n));
  }

  std::vector<std::string> writes;

 private:
  asio::io_context* ioc_;
};

/// Writes `text` through `s` and runs the context until it completes; returns the bytes the
/// write reported, and whether it completed inside the call (it never may).
std::pair<std::size_t, bool> write(asio::io_context& ioc, coalescing_stream<recording_stream>& s,
                                   const std::string& text) {
  std::size_t reported = 0;
  bool done = false;
  s.async_write_some(asio::buffer(text), [&](beast::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    reported = n;
    done = true;
  });
  bool inline_completion = done;
  ioc.restart();
  ioc.run();
  EXPECT_TRUE(done);
  return {reported, inline_completion};
}

TEST(CoalescingStream, PassesWritesThroughWhenNotHolding) {
  asio::io_context ioc;
  coalescing_stream<recording_stream> s{recording_stream{ioc}};
  EXPECT_EQ(write(ioc, s, "one").first, 3U);
  EXPECT_EQ(write(ioc, s, "two").first, 3U);
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{"one", "two"}));
}

TEST(CoalescingStream, SendsHeldWritesAndTheNextOneInASingleWrite) {
  asio::io_context ioc;
  coalescing_stream<recording_stream> s{recording_stream{ioc}};
  s.hold(true);
  auto [n1, inline1] = write(ioc, s, "aa");
  auto [n2, inline2] = write(ioc, s, "bbb");
  EXPECT_EQ(n1, 2U);
  EXPECT_EQ(n2, 3U);
  EXPECT_FALSE(inline1);
  EXPECT_FALSE(inline2);
  EXPECT_TRUE(s.next_layer().writes.empty());
  EXPECT_EQ(s.held_bytes(), 5U);

  s.hold(false);
  // The last write reports its own bytes, not the held ones it carried.
  EXPECT_EQ(write(ioc, s, "c").first, 1U);
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{"aabbbc"}));
  EXPECT_EQ(s.held_bytes(), 0U);

  EXPECT_EQ(write(ioc, s, "d").first, 1U);
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{"aabbbc", "d"}));
}

TEST(CoalescingStream, ReadsPassThrough) {
  asio::io_context ioc;
  coalescing_stream<recording_stream> s{recording_stream{ioc}};
  char byte = 0;
  beast::error_code got;
  s.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) { got = ec; });
  ioc.run();
  EXPECT_EQ(got, asio::error::eof);
}

/// A real WebSocket over loopback: frames written held and then released reach a plain Beast
/// client whole and in order, and the server's close still works through the layer.
TEST(CoalescingStream, CarriesWebSocketFramesInOrder) {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  websocket::stream<beast::tcp_stream> client{ioc};
  client.next_layer().connect(acceptor.local_endpoint());
  websocket::stream<coalescing_stream<beast::tcp_stream>> server{
      beast::tcp_stream{acceptor.accept()}};

  std::vector<std::string> frames{"first", "second", "third"};
  std::vector<std::string> received;
  beast::flat_buffer buffer;
  std::size_t written = 0;
  std::function<void()> write_next = [&] {
    server.next_layer().hold(written + 1 < frames.size());
    server.async_write(asio::buffer(frames[written]), [&](beast::error_code ec, std::size_t) {
      ASSERT_FALSE(ec);
      if (++written < frames.size()) {
        write_next();
      } else {
        server.async_close(websocket::close_code::normal, [](beast::error_code) {});
      }
    });
  };
  std::function<void()> read_next = [&] {
    client.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        return;  // the server's close
      }
      received.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };
  server.async_accept([&](beast::error_code ec) {
    ASSERT_FALSE(ec);
    write_next();
  });
  client.async_handshake("127.0.0.1", "/", [&](beast::error_code ec) {
    ASSERT_FALSE(ec);
    read_next();
  });
  ioc.run_for(std::chrono::seconds{10});
  EXPECT_EQ(received, frames);
  EXPECT_EQ(server.next_layer().held_bytes(), 0U);
}

}  // namespace
}  // namespace plexichat::net
