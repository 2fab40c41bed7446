#include "tools/plexichat-bench/ws_client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>

#include "tools/plexichat-bench/source_addresses.hpp"

namespace plexichat::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

ws_client::ws_client(boost::asio::io_context& io, size_t index, ws_sink& sink)
    : ws_(io.get_executor()), connect_timer_(io.get_executor()), sink_(sink), index_(index) {}

void ws_client::open(const tcp::endpoint& node, const tcp::endpoint& source, std::string token,
                     std::string channel_id) {
  token_ = std::move(token);
  channel_id_ = std::move(channel_id);
  ws_.next_layer().set_owner(weak_from_this());
  auto& socket = ws_.next_layer().next_layer();
  beast::error_code ec;
  if (!bind_source(socket, source, ec)) {
    // Reported from the loop, never from inside the caller's call.
    boost::asio::post(ws_.get_executor(), [self = shared_from_this(), why = ec.message()] {
      self->fail("bind: " + why);
    });
    return;
  }
  connect_timer_.expires_after(std::chrono::seconds(30));
  connect_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->state_ == state::connecting) {
      beast::error_code ignored;
      self->ws_.next_layer().next_layer().close(ignored);  // the connect then fails with "aborted"
    }
  });
  socket.async_connect(node, [self = shared_from_this()](beast::error_code ec) {
    self->connect_timer_.cancel();
    if (ec) {
      return self->fail("connect: " + ec.message());
    }
    self->on_connect();
  });
}

void ws_client::on_connect() {
  // Small frames must leave at once: Nagle would add tens of milliseconds to the latencies
  // this tool measures.
  beast::error_code ec;
  ws_.next_layer().next_layer().set_option(tcp::no_delay(true), ec);
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(30);
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_.set_option(t);
  ws_.read_message_max(1 << 20);
  ws_.async_handshake("bench", "/api/v1/ws", [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      return self->fail("upgrade: " + ec.message());
    }
    self->state_ = state::authenticating;
    self->send(R"({"type":"auth","token":")" + self->token_ + "\"}");
    self->do_read();
  });
}

void ws_client::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (self->state_ == state::closed) {
      return;
    }
    if (ec) {
      std::string why = "read: " + ec.message();
      if (ec == websocket::error::closed) {
        why = "closed by the node with " + std::to_string(self->ws_.reason().code);
      }
      return self->fail(why);
    }
    auto data = self->buffer_.data();
    self->on_read({static_cast<const char*>(data.data()), data.size()});
    self->buffer_.consume(self->buffer_.size());
    if (self->state_ != state::closed) {
      self->do_read();
    }
  });
}

void ws_client::on_read(std::string_view text) {
  auto f = scan_frame(text);
  if (!f) {
    return fail("a frame without a type: " + std::string(text.substr(0, 200)));
  }
  if (state_ == state::open) {
    return sink_.on_frame(*this, *f);
  }
  handshake_step(*f);
}

void ws_client::handshake_step(const scanned_frame& f) {
  if (f.type == "error") {
    return fail("refused: " + std::string(f.code));
  }
  if (state_ == state::authenticating && f.type == "ready") {
    if (channel_id_.empty()) {
      state_ = state::open;
      return sink_.on_open(*this);
    }
    state_ = state::subscribing;
    return send(R"({"type":"subscribe","channel_id":")" + channel_id_ + "\"}");
  }
  if (state_ == state::subscribing && f.type == "subscribed") {
    tracker_.start(f.last_seq.value_or(0));
    state_ = state::open;
    sink_.on_open(*this);
  }
}

void ws_client::send(std::string text) {
  if (state_ == state::closed) {
    return;
  }
  writes_.push_back(std::move(text));
  if (writes_.size() == 1) {
    do_write();
  }
}

void ws_client::do_write() {
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(writes_.front()),
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    if (self->state_ == state::closed) {
                      return;
                    }
                    if (ec) {
                      return self->fail("write: " + ec.message());
                    }
                    self->writes_.pop_front();
                    if (!self->writes_.empty()) {
                      self->do_write();
                    }
                  });
}

void ws_client::fail(const std::string& why) {
  if (state_ == state::closed) {
    return;
  }
  close();
  sink_.on_failed(*this, why);
}

void ws_client::close() {
  state_ = state::closed;
  connect_timer_.cancel();
  beast::error_code ec;
  ws_.next_layer().next_layer().close(ec);
}

std::string send_frame(const std::string& channel_id, std::string_view content,
                       std::string_view nonce) {
  std::string s;
  s.reserve(64 + channel_id.size() + content.size() + nonce.size());
  s += R"({"type":"send","channel_id":")";
  s += channel_id;
  s += R"(","content":")";
  s += content;
  s += R"(","nonce":")";
  s += nonce;
  s += "\"}";
  return s;
}

}  // namespace plexichat::bench
