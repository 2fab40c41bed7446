#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "actors/channel/replica.hpp"

namespace plexichat::actors::channel {

/// A channel owner's replicated writes that wait for room in its window of writes in flight
/// (DESIGN.md "The cluster"). Under load the owner sends one append per replica for many
/// messages instead of one per message: consecutive writes that carry only messages, with
/// consecutive seqs, merge into one, up to `max_messages`. A write with member or record
/// changes stays on its own, so the replicas apply changes in the order they were made.
class write_queue {
 public:
  using callback = std::function<void(bool)>;

  /// One write to send, and what to call, in order, when it is settled.
  struct batch {
    replica_write write;
    std::vector<callback> done;
  };

  explicit write_queue(std::size_t max_messages = 512) : max_messages_(max_messages) {}

  /// Queues `w`, merged into the last queued write when both carry only messages that follow
  /// on, and the merged write stays within `max_messages`.
  void push(replica_write w, callback done);

  bool empty() const { return queued_.empty(); }
  std::size_t size() const { return queued_.size(); }

  /// The oldest queued write; the queue must not be empty.
  batch pop();

  /// Everything queued, oldest first; the queue is left empty.
  std::deque<batch> take_all();

 private:
  std::size_t max_messages_;
  std::deque<batch> queued_;
};

}  // namespace plexichat::actors::channel
