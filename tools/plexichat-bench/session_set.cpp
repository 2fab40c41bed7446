#include "tools/plexichat-bench/session_set.hpp"

namespace plexichat::bench {

session_set::~session_set() {
  close_all();
}

size_t session_set::open(size_t count, const std::function<std::string(size_t)>& token_of,
                         const std::function<std::string(size_t)>& channel_of,
                         bench_clock::time_point deadline) {
  token_of_ = token_of;
  channel_of_ = channel_of;
  size_t first = clients_.size();
  size_t opened_before = opened_;
  for (size_t i = 0; i < count; ++i) {
    clients_.push_back(std::make_shared<ws_client>(ctx_.io, first + i, *this));
    is_open_.push_back(0);
  }
  next_ = first;
  start_next();
  bool done = ctx_.run_until([&] { return next_ == clients_.size() && in_flight_ == 0; }, deadline);
  if (!done) {
    // What is still opening at the deadline counts as failed.
    for (size_t i = first; i < clients_.size(); ++i) {
      if (!is_open_[i]) {
        clients_[i]->close();
      }
    }
    open_failures_ += (clients_.size() - next_) + in_flight_;
    if (first_open_error_.empty()) {
      first_open_error_ = "not open before the set-up deadline";
    }
    next_ = clients_.size();
    in_flight_ = 0;
  }
  return opened_ - opened_before;
}

void session_set::start_next() {
  auto limit = static_cast<size_t>(ctx_.options.node.parallel);
  while (next_ < clients_.size() && in_flight_ < limit) {
    size_t i = next_++;
    ++in_flight_;
    clients_[i]->open(ctx_.ws_nodes[i % ctx_.ws_nodes.size()], ctx_.sources.next(), token_of_(i),
                      channel_of_(i));
  }
}

void session_set::on_open(ws_client& c) {
  is_open_[c.index()] = 1;
  ++opened_;
  --in_flight_;
  start_next();
}

void session_set::on_failed(ws_client& c, const std::string& why) {
  if (is_open_[c.index()]) {
    is_open_[c.index()] = 0;
    if (!dropped_++) {
      first_drop_ = why;
    }
    return;
  }
  if (!open_failures_++) {
    first_open_error_ = why;
  }
  --in_flight_;
  start_next();
}

void session_set::close_all() {
  for (auto& c : clients_) {
    c->close();
  }
}

}  // namespace plexichat::bench
