#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace plexichat::bench {

/// Client source addresses 127.0.0.2 .. 127.0.0.(1+count), handed out in turn. Each
/// connection binds one before connecting, so that tens of thousands of connections to one
/// node fit the ephemeral port range (about 28,000 ports per source address).
class source_addresses {
 public:
  explicit source_addresses(int count) : count_(count < 1 ? 1 : count) {}

  [[nodiscard]] boost::asio::ip::tcp::endpoint next() {
    auto host = static_cast<unsigned>(2 + next_++ % static_cast<unsigned>(count_));
    boost::asio::ip::address_v4 a{(127u << 24) | host};
    return {a, 0};
  }

 private:
  int count_;
  unsigned next_ = 0;
};

/// Opens `socket` and binds it to `source`; false (with `ec`) on failure.
template <class Socket>
bool bind_source(Socket& socket, const boost::asio::ip::tcp::endpoint& source,
                 boost::system::error_code& ec) {
  socket.open(boost::asio::ip::tcp::v4(), ec);
  if (!ec) {
    socket.bind(source, ec);
  }
  return !ec;
}

}  // namespace plexichat::bench
