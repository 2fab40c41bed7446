#include "tools/plexichat-bench/http_pool.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace plexichat::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class http_pool::connection : public std::enable_shared_from_this<connection> {
 public:
  explicit connection(http_pool& pool) : pool_(pool), stream_(pool.io_) {}

  void run(http_request r) {
    request_ = std::move(r);
    retried_ = false;
    start();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().close(ec);
    open_ = false;
  }

 private:
  void start() {
    req_ = {};
    req_.method(request_.verb);
    req_.target(request_.target);
    req_.version(11);
    req_.set(http::field::host, "bench");
    req_.keep_alive(true);
    if (!request_.token.empty()) {
      req_.set(http::field::authorization, "Bearer " + request_.token);
    }
    if (!request_.body.empty()) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = request_.body;
    }
    req_.prepare_payload();
    if (open_) {
      do_write();
    } else {
      do_connect();
    }
  }

  void do_connect() {
    beast::error_code ec;
    stream_.socket().close(ec);
    if (!bind_source(stream_.socket(), pool_.sources_.next(), ec)) {
      return finish_error("bind: " + ec.message());
    }
    used_ = false;
    stream_.expires_after(std::chrono::seconds(30));
    stream_.async_connect(pool_.node_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        return self->finish_error("connect: " + ec.message());
      }
      self->open_ = true;
      beast::error_code ignored;
      self->stream_.socket().set_option(tcp::no_delay(true), ignored);
      self->do_write();
    });
  }

  void do_write() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        return self->failed("write: " + ec.message());
      }
      self->do_read();
    });
  }

  void do_read() {
    res_ = {};
    http::async_read(stream_, buffer_, res_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         return self->failed("read: " + ec.message());
                       }
                       self->on_response();
                     });
  }

  void on_response() {
    used_ = true;
    if (!res_.keep_alive()) {
      close();
    }
    http_answer a;
    a.status = res_.result_int();
    a.body = std::move(res_.body());
    finish(std::move(a));
  }

  // An error on a connection that had worked before may be the node closing an idle
  // keep-alive connection: retry once on a fresh one.
  void failed(std::string why) {
    bool retry = used_ && !retried_;
    close();
    buffer_.clear();
    if (retry) {
      retried_ = true;
      return do_connect();
    }
    finish_error(std::move(why));
  }

  void finish_error(std::string why) {
    close();
    http_answer a;
    a.error = std::move(why);
    finish(std::move(a));
  }

  void finish(http_answer&& a) {
    auto done = std::move(request_.done);
    request_ = {};
    --pool_.in_flight_;
    pool_.idle_.push_back(shared_from_this());
    if (done) {
      done(std::move(a));
    }
    pool_.dispatch();
  }

  http_pool& pool_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  http_request request_;
  bool open_ = false;
  bool used_ = false;
  bool retried_ = false;
};

http_pool::http_pool(boost::asio::io_context& io, tcp::endpoint node, source_addresses& sources,
                     int size)
    : io_(io), node_(std::move(node)), sources_(sources), size_(size < 1 ? 1 : size) {}

http_pool::~http_pool() {
  close();
}

void http_pool::submit(http_request r) {
  queue_.push_back(std::move(r));
  dispatch();
}

void http_pool::dispatch() {
  while (!queue_.empty()) {
    std::shared_ptr<connection> c;
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else if (all_.size() < static_cast<size_t>(size_)) {
      c = std::make_shared<connection>(*this);
      all_.push_back(c);
    } else {
      return;
    }
    auto r = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    c->run(std::move(r));
  }
}

void http_pool::close() {
  for (auto& c : all_) {
    c->close();
  }
}

}  // namespace plexichat::bench
