#include "actors/channel/replica_log.hpp"

#include <algorithm>

namespace plexichat::actors::channel {

replica_log::replica_log(epoch_claim promised, std::vector<epoch_start> epochs, uint64_t last_seq)
    : promised_(std::move(promised)), epochs_(std::move(epochs)), last_seq_(last_seq) {
  // A crash between a truncation and its record could leave starts past the end.
  truncate(last_seq_);
}

uint64_t replica_log::last_epoch() const {
  return epochs_.empty() || last_seq_ == 0 ? 0 : epochs_.back().epoch;
}

replica_position replica_log::position(bool granted) const {
  return {granted, promised_, last_epoch(), last_seq_};
}

bool replica_log::grants(const epoch_claim& claim) const {
  return claim.epoch > promised_.epoch ||
         (claim.epoch == promised_.epoch && claim.owner == promised_.owner);
}

replica_position replica_log::claim(const epoch_claim& claim) {
  bool granted = grants(claim);
  if (granted) {
    promised_ = claim;
  }
  return position(granted);
}

append_verdict replica_log::judge(const epoch_claim& claim, uint64_t prev_seq,
                                  bool has_messages) const {
  if (claim.epoch < promised_.epoch ||
      (claim.epoch == promised_.epoch && claim.owner != promised_.owner)) {
    return append_verdict::fenced;
  }
  if (claim.epoch > promised_.epoch || (has_messages && prev_seq != last_seq_)) {
    return append_verdict::out_of_sync;
  }
  return append_verdict::ok;
}

void replica_log::appended(uint64_t epoch, uint64_t first_seq, uint64_t last_seq) {
  if (last_seq < first_seq) {
    return;
  }
  if (epochs_.empty() || epochs_.back().epoch != epoch) {
    epochs_.push_back({epoch, first_seq});
  }
  last_seq_ = last_seq;
}

uint64_t replica_log::end_of(uint64_t epoch) const {
  for (const auto& e : epochs_) {
    if (e.epoch > epoch) {
      return e.start_seq - 1;
    }
  }
  return last_seq_;
}

uint64_t replica_log::epoch_of(uint64_t seq) const {
  uint64_t epoch = 0;
  if (seq == 0 || seq > last_seq_) {
    return 0;
  }
  for (const auto& e : epochs_) {
    if (e.start_seq > seq) {
      break;
    }
    epoch = e.epoch;
  }
  return epoch;
}

uint64_t replica_log::agreement_point(uint64_t other_last_epoch, uint64_t other_last_seq) const {
  return std::min(other_last_seq, end_of(other_last_epoch));
}

void replica_log::truncate(uint64_t seq) {
  last_seq_ = std::min(last_seq_, seq);
  while (!epochs_.empty() && epochs_.back().start_seq > last_seq_) {
    epochs_.pop_back();
  }
}

void replica_log::adopt_epochs(const std::vector<epoch_start>& source, uint64_t last_seq) {
  epochs_.clear();
  for (const auto& e : source) {
    if (e.start_seq <= last_seq) {
      epochs_.push_back(e);
    }
  }
  last_seq_ = last_seq;
}

}  // namespace plexichat::actors::channel
