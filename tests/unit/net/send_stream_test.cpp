#include "net/send_stream.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
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

/// A next layer that records each write it is asked for and completes it in full, or fails
/// every write with `fail_with`.
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
    auto n = fail_with ? 0 : w.size();
    writes.push_back(std::move(w));
    asio::post(get_executor(), beast::bind_handler(std::forward<Handler>(h), fail_with, n));
  }

  std::vector<std::string> writes;
  beast::error_code fail_with;
  bool closed = false;

 private:
  asio::io_context* ioc_;
};

/// beast::close_socket on the recording stream (found by argument-dependent lookup).
void beast_close_socket(recording_stream& s) {
  s.closed = true;
}

using stream = send_stream<recording_stream>;

actors::wire::frame text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

/// An unmasked final text frame's bytes, spelled out (RFC 6455, 5.2).
std::string framed(const std::string& payload) {
  std::string out{"\x81"};
  auto n = payload.size();
  if (n <= 125) {
    out += static_cast<char>(n);
  } else if (n <= 65535) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((n >> shift) & 0xff);
    }
  }
  return out + payload;
}

/// What a Beast write through `s` reports, once it completes.
struct beast_write {
  bool done = false;
  beast::error_code ec;
  std::size_t bytes = 0;
};

std::shared_ptr<beast_write> write_as_beast(stream& s, const std::string& bytes) {
  auto result = std::make_shared<beast_write>();
  s.async_write_some(asio::buffer(bytes), [result](beast::error_code ec, std::size_t n) {
    result->done = true;
    result->ec = ec;
    result->bytes = n;
  });
  return result;
}

TEST(SendStream, FramesEachMessageAndSendsWhatQueuedMeanwhileInOneWrite) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.send_text(text("a"));  // starts a write at once
  s.send_text(text("bb"));
  s.send_text(text("ccc"));
  EXPECT_EQ(s.frames_waiting(), 3U);
  ioc.run();
  EXPECT_EQ(s.next_layer().writes,
            (std::vector<std::string>{framed("a"), framed("bb") + framed("ccc")}));
  EXPECT_EQ(s.frames_waiting(), 0U);
  EXPECT_FALSE(s.next_layer().closed);
}

TEST(SendStream, QueuedMessagesWaitForTheFlushAndGoOutInOneWrite) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.queue_text(text("a"));
  s.queue_text(text("bb"));
  EXPECT_EQ(s.frames_waiting(), 2U);
  ioc.poll();
  EXPECT_TRUE(s.next_layer().writes.empty()) << "nothing is written before the flush";
  ioc.restart();  // poll() ran out of work, which stops the context
  s.flush();
  s.flush();  // a write is in flight: the second flush starts no other
  ioc.run();
  EXPECT_EQ(s.next_layer().writes, std::vector<std::string>{framed("a") + framed("bb")});
  EXPECT_EQ(s.frames_waiting(), 0U);
}

TEST(SendStream, WritesTheLengthInTheHeaderSizeItNeeds) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  const std::string small(125, 's');
  const std::string medium(300, 'm');
  const std::string large(70000, 'l');
  for (const auto& payload : {small, medium, large}) {
    s.send_text(text(payload));
    ioc.restart();
    ioc.run();
  }
  const auto& writes = s.next_layer().writes;
  ASSERT_GE(writes.size(), 3U);
  EXPECT_EQ(writes[0], framed(small));
  EXPECT_EQ(writes[1].substr(0, 4), std::string("\x81\x7e\x01\x2c", 4));
  EXPECT_EQ(writes[1], framed(medium));
  // The socket may take the large one in more than one piece.
  std::string rest;
  for (std::size_t i = 2; i < writes.size(); ++i) {
    rest += writes[i];
  }
  EXPECT_EQ(rest.size(), large.size() + 10);
  EXPECT_EQ(rest, framed(large));
}

TEST(SendStream, BeastWritesKeepTheirPlaceAndCompleteOnceWritten) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.send_text(text("one"));
  auto ping = write_as_beast(s, "PING");
  s.send_text(text("two"));
  EXPECT_FALSE(ping->done);  // never inline
  ioc.run();
  EXPECT_EQ(s.next_layer().writes,
            (std::vector<std::string>{framed("one"), "PING" + framed("two")}));
  EXPECT_TRUE(ping->done);
  EXPECT_FALSE(ping->ec);
  EXPECT_EQ(ping->bytes, 4U);  // its own bytes, not the frames it travelled with
}

TEST(SendStream, DroppingQueuedFramesKeepsTheWriteInFlightAndBeastsWrites) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.send_text(text("in flight"));
  s.send_text(text("dropped 1"));
  auto close = write_as_beast(s, "CLOSE");
  s.send_text(text("dropped 2"));
  s.drop_queued_frames();
  EXPECT_EQ(s.frames_waiting(), 1U);
  ioc.run();
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{framed("in flight"), "CLOSE"}));
  EXPECT_TRUE(close->done);
  EXPECT_EQ(s.frames_waiting(), 0U);
}

actors::wire::frame framed_by_channel(const std::vector<std::string>& payloads) {
  std::vector<std::pair<uint64_t, actors::wire::frame>> frames;
  for (const auto& p : payloads) {
    frames.emplace_back(frames.size() + 1, text(p));
  }
  return actors::wire::ws_text_frames(frames);
}

TEST(SendStream, TheChannelFramesAsTheStreamDoes) {
  const std::string medium(300, 'm');
  EXPECT_EQ(*framed_by_channel({"a", medium, ""}), framed("a") + framed(medium) + framed(""));
}

TEST(SendStream, FramedItemsGoOutAsTheyAreInTheirPlace) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.send_text(text("a"));  // starts a write at once
  s.queue_framed(framed_by_channel({"x", "yy"}), 2);
  s.queue_text(text("b"));
  auto ping = write_as_beast(s, "PING");
  s.queue_framed(framed_by_channel({"z"}), 1);
  EXPECT_EQ(s.frames_waiting(), 5U) << "a framed item counts each of its frames";
  s.flush();
  ioc.run();
  EXPECT_EQ(s.next_layer().writes,
            (std::vector<std::string>{
                framed("a"), framed("x") + framed("yy") + framed("b") + "PING" + framed("z")}));
  EXPECT_TRUE(ping->done);
  EXPECT_EQ(ping->bytes, 4U);
  EXPECT_EQ(s.frames_waiting(), 0U);
}

TEST(SendStream, AFramedItemOfNoFramesIsNotQueued) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.queue_framed(framed_by_channel({}), 0);
  s.flush();
  EXPECT_EQ(s.frames_waiting(), 0U);
  ioc.run();
  EXPECT_TRUE(s.next_layer().writes.empty()) << "not even an empty frame";
}

TEST(SendStream, DroppingQueuedFramesCountsEachFrameOfAFramedItem) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.send_text(text("in flight"));
  s.queue_framed(framed_by_channel({"dropped 1", "dropped 2", "dropped 3"}), 3);
  EXPECT_EQ(s.frames_waiting(), 4U);
  s.drop_queued_frames();
  EXPECT_EQ(s.frames_waiting(), 1U);
  ioc.run();
  EXPECT_EQ(s.next_layer().writes, std::vector<std::string>{framed("in flight")});
  EXPECT_EQ(s.frames_waiting(), 0U);
}

TEST(SendStream, ABacklogOfFramedItemsGoesOutInBoundedWritesInOrder) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    auto a = std::to_string(i) + std::string(2000, 'f');
    auto b = std::to_string(i) + "text";
    s.queue_framed(framed_by_channel({a, a}), 2);
    s.queue_text(text(b));
    expected += framed(a) + framed(a) + framed(b);
  }
  s.flush();
  ioc.run();
  const auto& writes = s.next_layer().writes;
  EXPECT_GT(writes.size(), 4U);
  std::string all;
  for (const auto& w : writes) {
    EXPECT_LT(w.size(), stream::max_write + 4100);
    all += w;
  }
  EXPECT_EQ(all, expected);
  EXPECT_EQ(s.frames_waiting(), 0U);
}

TEST(SendStream, SplitsABigBacklogIntoBoundedWritesInOrder) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  const std::size_t count = 300;
  std::string expected;
  for (std::size_t i = 0; i < count; ++i) {
    auto payload = std::to_string(i) + std::string(1000, 'x');
    expected += framed(payload);
    s.send_text(text(payload));
  }
  ioc.run();
  const auto& writes = s.next_layer().writes;
  EXPECT_GT(writes.size(), 4U);
  std::string all;
  for (const auto& w : writes) {
    EXPECT_LT(w.size(), stream::max_write + 1100);  // a write stops after the frame that fills it
    all += w;
  }
  EXPECT_EQ(all, expected);
  EXPECT_EQ(s.frames_waiting(), 0U);
}

TEST(SendStream, AFailedWriteFailsBeastsWritesAndDropsTheRest) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.next_layer().fail_with = asio::error::broken_pipe;
  s.send_text(text("lost"));
  auto queued = write_as_beast(s, "PONG");
  s.send_text(text("never written"));
  ioc.run();
  // Nothing is written after a failed write: the connection is over, its socket closed.
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{framed("lost")}));
  EXPECT_TRUE(s.next_layer().closed);
  EXPECT_EQ(s.frames_waiting(), 0U);
  // PONG was queued, not in flight, when the write failed: discarded, its handler never run.
  EXPECT_FALSE(queued->done);
}

TEST(SendStream, AFailedWriteReportsTheErrorToBeastsWritesInIt) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  s.next_layer().fail_with = asio::error::broken_pipe;
  auto close = write_as_beast(s, "CLOSE");
  ioc.run();
  EXPECT_TRUE(close->done);
  EXPECT_EQ(close->ec, asio::error::broken_pipe);
  EXPECT_EQ(close->bytes, 0U);
}

TEST(SendStream, ReadsPassThrough) {
  asio::io_context ioc;
  stream s{recording_stream{ioc}};
  char byte = 0;
  beast::error_code got;
  s.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) { got = ec; });
  ioc.run();
  EXPECT_EQ(got, asio::error::eof);
}

/// A real WebSocket over loopback: Beast's handshake answer and close, and frames of every
/// header size, reach a plain Beast client whole and in order.
TEST(SendStream, CarriesAWebSocketConversation) {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  websocket::stream<beast::tcp_stream> client{ioc};
  client.next_layer().connect(acceptor.local_endpoint());
  websocket::stream<send_stream<beast::tcp_stream>> server{beast::tcp_stream{acceptor.accept()}};

  std::vector<std::string> frames{"first", std::string(300, 'm'), std::string(70000, 'l'), "last"};
  std::vector<std::string> received;
  beast::error_code client_end;
  beast::flat_buffer buffer;
  std::function<void()> read_next = [&] {
    client.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        client_end = ec;  // the server's close
        return;
      }
      EXPECT_TRUE(client.got_text());
      received.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };
  server.async_accept([&](beast::error_code ec) {
    ASSERT_FALSE(ec);
    for (const auto& f : frames) {
      server.next_layer().send_text(text(f));
    }
    // Queued after the frames, so it reaches the client after them.
    server.async_close(websocket::close_code::normal, [](beast::error_code) {});
  });
  client.async_handshake("127.0.0.1", "/", [&](beast::error_code ec) {
    ASSERT_FALSE(ec);
    read_next();
  });
  ioc.run_for(std::chrono::seconds{10});
  EXPECT_EQ(received, frames);
  EXPECT_EQ(client_end, websocket::error::closed);
  EXPECT_EQ(client.reason().code, websocket::close_code::normal);
  EXPECT_EQ(server.next_layer().frames_waiting(), 0U);
}

}  // namespace
}  // namespace plexichat::net
