#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tools/plexichat-bench/source_addresses.hpp"

namespace plexichat::bench {

/// The answer to one request: status 0 when the request failed below HTTP (connect, I/O,
/// timeout), with `error` saying why.
struct http_answer {
  unsigned status = 0;
  std::string body;
  std::string error;
};

struct http_request {
  boost::beast::http::verb verb = boost::beast::http::verb::get;
  std::string target;
  std::string body;   ///< JSON; sent when not empty
  std::string token;  ///< Bearer token when not empty
  std::function<void(http_answer&&)> done;
};

/// Up to `size` keep-alive HTTP/1.1 connections to one node that work through a queue of
/// requests, for setting up many users fast with bounded concurrency. Each request has a
/// 30 s timeout; a request that fails on a reused connection (the node closed it) is
/// retried once on a fresh one. Runs on the caller's io_context, one thread.
class http_pool {
 public:
  http_pool(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint node,
            source_addresses& sources, int size);
  ~http_pool();

  void submit(http_request r);
  /// Requests queued or in flight.
  [[nodiscard]] size_t pending() const { return queue_.size() + in_flight_; }
  /// Closes every connection.
  void close();

 private:
  class connection;
  friend class connection;

  void dispatch();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::endpoint node_;
  source_addresses& sources_;
  std::deque<http_request> queue_;
  std::vector<std::shared_ptr<connection>> idle_;
  std::vector<std::shared_ptr<connection>> all_;
  size_t in_flight_ = 0;
  int size_;
};

}  // namespace plexichat::bench
