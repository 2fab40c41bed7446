#include "actors/channel/write_queue.hpp"

#include <utility>

namespace plexichat::actors::channel {

namespace {

bool only_messages(const replica_write& w) {
  return !w.messages.empty() && w.add_members.empty() && w.remove_members.empty() &&
         w.record.empty();
}

}  // namespace

void write_queue::push(replica_write w, callback done) {
  if (!queued_.empty()) {
    auto& last = queued_.back().write;
    if (only_messages(last) && only_messages(w) &&
        last.messages.back().seq + 1 == w.messages.front().seq &&
        last.messages.size() + w.messages.size() <= max_messages_) {
      last.messages.insert(last.messages.end(), std::make_move_iterator(w.messages.begin()),
                           std::make_move_iterator(w.messages.end()));
      queued_.back().done.push_back(std::move(done));
      return;
    }
  }
  batch b;
  b.write = std::move(w);
  b.done.push_back(std::move(done));
  queued_.push_back(std::move(b));
}

write_queue::batch write_queue::pop() {
  auto b = std::move(queued_.front());
  queued_.pop_front();
  return b;
}

std::deque<write_queue::batch> write_queue::take_all() {
  auto all = std::move(queued_);
  queued_.clear();
  return all;
}

}  // namespace plexichat::actors::channel
