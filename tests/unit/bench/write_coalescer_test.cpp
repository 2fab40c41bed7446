#include "tools/plexichat-bench/write_coalescer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace plexichat::bench {
namespace {

namespace asio = boost::asio;
using boost::beast::error_code;

/// A stream that records each write the layer makes and completes it on the next turn, or
/// fails every write once `fail` is set.
class recording_stream {
 public:
  using executor_type = asio::io_context::executor_type;
  explicit recording_stream(executor_type ex) : ex_(ex) {}
  executor_type get_executor() { return ex_; }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    std::string bytes;
    for (auto i = asio::buffer_sequence_begin(buffers); i != asio::buffer_sequence_end(buffers);
         ++i) {
      asio::const_buffer piece = *i;
      bytes.append(static_cast<const char*>(piece.data()), piece.size());
    }
    auto n = bytes.size();
    writes.push_back(std::move(bytes));
    error_code ec = fail ? asio::error::broken_pipe : error_code{};
    asio::post(ex_, boost::beast::bind_handler(std::forward<Handler>(handler), ec, fail ? 0 : n));
  }
  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers&, Handler&&) {}
  void close(error_code&) { closed = true; }

  std::vector<std::string> writes;
  bool fail = false;
  bool closed = false;

 private:
  executor_type ex_;
};

struct written {
  error_code ec;
  std::size_t bytes = 0;
  bool done = false;
};

/// Writes `text` through the layer; `w` is filled in when the layer reports it written.
void write(write_coalescer<recording_stream>& s, const std::string& text, written& w) {
  s.async_write_some(asio::buffer(text), [&w](error_code ec, std::size_t n) { w = {ec, n, true}; });
}

TEST(write_coalescer, writes_of_one_burst_go_to_the_stream_in_one_write) {
  asio::io_context io;
  write_coalescer<recording_stream> s{io.get_executor()};
  written a, b, c;
  write(s, "one,", a);
  write(s, "two,", b);
  EXPECT_FALSE(a.done) << "reported on a later turn, never inline";
  asio::post(io, [&] { write(s, "three", c); });  // the next turn, as a sender's next frame
  io.run();
  ASSERT_EQ(s.next_layer().writes, std::vector<std::string>{"one,two,three"});
  EXPECT_TRUE(a.done && b.done && c.done);
  EXPECT_EQ(a.bytes, 4u);
  EXPECT_EQ(c.bytes, 5u);
  EXPECT_FALSE(a.ec || b.ec || c.ec);
}

TEST(write_coalescer, a_write_after_a_quiet_spell_is_a_write_of_its_own) {
  asio::io_context io;
  write_coalescer<recording_stream> s{io.get_executor()};
  written a, b;
  write(s, "first", a);
  io.run();
  io.restart();
  write(s, "second", b);
  io.run();
  EXPECT_EQ(s.next_layer().writes, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(b.done);
}

TEST(write_coalescer, a_large_burst_goes_out_in_pieces_in_order) {
  asio::io_context io;
  write_coalescer<recording_stream> s{io.get_executor()};
  std::vector<std::string> pieces;
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    pieces.emplace_back(1000, static_cast<char>('a' + i % 26));
    expected += pieces.back();
  }
  std::vector<written> w(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    write(s, pieces[i], w[i]);
  }
  io.run();
  const auto& writes = s.next_layer().writes;
  ASSERT_GE(writes.size(), 2u);
  std::string all;
  for (const auto& bytes : writes) {
    EXPECT_LE(bytes.size(), write_coalescer<recording_stream>::max_pending + 1000);
    all += bytes;
  }
  EXPECT_EQ(all, expected);
}

TEST(write_coalescer, after_a_failed_write_every_write_fails_and_the_stream_is_closed) {
  asio::io_context io;
  write_coalescer<recording_stream> s{io.get_executor()};
  s.next_layer().fail = true;
  written a, b;
  write(s, "lost", a);
  io.run();
  EXPECT_TRUE(s.next_layer().closed);
  io.restart();
  write(s, "after", b);
  io.run();
  EXPECT_TRUE(b.done);
  EXPECT_TRUE(b.ec);
  EXPECT_EQ(s.next_layer().writes.size(), 1u) << "nothing more reaches a failed stream";
}

}  // namespace
}  // namespace plexichat::bench
