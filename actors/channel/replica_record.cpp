#include "actors/channel/replica_record.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace plexichat::actors::channel {

std::string replica_meta_key(const std::string& cid) {
  return "replica/" + cid;
}

std::string encode_replica_meta(const replica_log& log) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto& e : log.epochs()) {
    epochs.push_back({e.epoch, e.start_seq});
  }
  return nlohmann::json{{"epoch", log.promised().epoch},
                        {"owner", log.promised().owner},
                        {"epochs", std::move(epochs)}}
      .dump();
}

replica_log load_replica_log(const storage::database& db, const std::string& cid) {
  epoch_claim promised;
  std::vector<epoch_start> epochs;
  if (auto raw = db.get_meta(replica_meta_key(cid))) {
    auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (j.is_object()) {
      promised = {j.value("epoch", uint64_t{0}), j.value("owner", std::string{})};
      for (const auto& e : j.value("epochs", nlohmann::json::array())) {
        if (e.is_array() && e.size() == 2 && e[0].is_number_unsigned() &&
            e[1].is_number_unsigned()) {
          epochs.push_back({e[0].get<uint64_t>(), e[1].get<uint64_t>()});
        }
      }
    } else {
      spdlog::error("replica: unreadable state of channel {}; starting it empty", cid);
    }
  }
  return replica_log{std::move(promised), std::move(epochs), db.last_seq(cid)};
}

stored_log read_stored_log(const storage::database& db, const std::string& cid) {
  stored_log out{load_replica_log(db, cid), {}};
  uint64_t after = 0;
  for (;;) {
    auto page = db.read_messages(cid, after, std::nullopt, 500);
    for (auto& m : page.messages) {
      after = m.seq;
      auto epoch = out.log.epoch_of(m.seq);
      out.messages.push_back({std::move(m), epoch});
    }
    if (!page.has_more || page.messages.empty()) {
      return out;
    }
  }
}

}  // namespace plexichat::actors::channel
