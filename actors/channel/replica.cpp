#include "actors/channel/replica.hpp"

#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/channel/channel_rules.hpp"
#include "actors/channel/post_relay.hpp"
#include "actors/channel/replica_record.hpp"
#include "actors/durable_writes.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::channel {

namespace {

struct replica_state {
  node_context* ctx = nullptr;
  std::unordered_map<std::string, replica_log> logs;
  durable_writes writes;
  static inline const char* name = "replica";
};

using replica_actor = caf::stateful_actor<replica_state>;

replica_log& log_of(replica_actor* self, const std::string& cid) {
  auto& logs = self->state.logs;
  auto i = logs.find(cid);
  if (i == logs.end()) {
    i = logs.emplace(cid, load_replica_log(*self->state.ctx->db, cid)).first;
  }
  return i->second;
}

/// Writes `batch` and answers `answer` once it is durable; a failed write stops the store
/// (its memory would no longer match the disk), and the node's owners see it as gone.
template <class T>
caf::result<T> write_then(replica_actor* self, storage::write_batch batch, T answer) {
  auto rp = self->make_response_promise<T>();
  self->state.writes.submit(caf::actor_cast<caf::actor>(self), *self->state.ctx->writer,
                            std::move(batch), [self, rp, answer](bool ok) mutable {
                              if (ok) {
                                rp.deliver(answer);
                                return;
                              }
                              rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
                              self->state.writes.fail_all();
                              self->quit(make_error(api_errc::unavailable, "storage write failed"));
                            });
  return rp;
}

caf::result<replica_position> claim(replica_actor* self, const std::string& cid,
                                    const epoch_claim& c) {
  auto& log = log_of(self, cid);
  bool changed = log.grants(c) && !(log.promised() == c);
  auto pos = log.claim(c);
  if (!changed) {
    return pos;
  }
  storage::write_batch batch;
  batch.put_meta(replica_meta_key(cid), encode_replica_meta(log));
  return write_then(self, std::move(batch), pos);
}

}  // namespace

void add_to_batch(storage::write_batch& batch, const replica_write& w, const std::string& cid) {
  for (const auto& m : w.messages) {
    batch.put_message(m);
  }
  auto now = runtime::now_ms();
  for (const auto& u : w.add_members) {
    batch.add_member({cid, u, now});
  }
  for (const auto& u : w.remove_members) {
    batch.remove_member(cid, u);
  }
  for (const auto& r : w.record) {
    batch.put_channel(r);
  }
}

namespace {

/// Judges an append and, when the replica takes it, adds its writes to `batch` and sets
/// `wrote`: the reply to give (once `batch` is durable, if it wrote), or an error.
caf::expected<append_reply> take_append(replica_actor* self, const std::string& cid,
                                        const epoch_claim& c, uint64_t prev_seq,
                                        const replica_write& w, storage::write_batch& batch,
                                        bool& wrote) {
  auto& log = log_of(self, cid);
  auto verdict = log.judge(c, prev_seq, !w.messages.empty());
  if (verdict != append_verdict::ok) {
    return append_reply{verdict, log.promised(), log.last_epoch(), log.last_seq()};
  }
  for (std::size_t i = 0; i < w.messages.size(); ++i) {
    if (w.messages[i].channel_id != cid || w.messages[i].seq != prev_seq + 1 + i) {
      return make_error(api_errc::internal, "replicated messages out of order");
    }
  }
  add_to_batch(batch, w, cid);
  if (!w.messages.empty()) {
    auto epochs_before = log.epochs().size();
    log.appended(c.epoch, prev_seq + 1, w.messages.back().seq);
    if (log.epochs().size() != epochs_before) {
      batch.put_meta(replica_meta_key(cid), encode_replica_meta(log));
    }
  }
  wrote = true;
  return append_reply{append_verdict::ok, log.promised(), log.last_epoch(), log.last_seq()};
}

caf::result<append_reply> append(replica_actor* self, const std::string& cid, const epoch_claim& c,
                                 uint64_t prev_seq, const replica_write& w) {
  storage::write_batch batch;
  bool wrote = false;
  auto reply = take_append(self, cid, c, prev_seq, w, batch, wrote);
  if (!reply) {
    return std::move(reply.error());
  }
  if (!wrote) {
    return *reply;
  }
  return write_then(self, std::move(batch), *reply);
}

/// Appends of several channels, taken in order and written together: one write for all.
caf::result<std::vector<append_result>> append_all(replica_actor* self,
                                                   const std::vector<replica_append>& appends) {
  storage::write_batch batch;
  bool wrote = false;
  std::vector<append_result> results(appends.size());
  for (std::size_t i = 0; i < appends.size(); ++i) {
    const auto& a = appends[i];
    auto reply = take_append(self, a.channel_id, a.claim, a.prev_seq, a.write, batch, wrote);
    if (reply) {
      results[i].reply = *reply;
    } else {
      results[i].error = std::move(reply.error());
    }
  }
  if (!wrote) {
    return results;
  }
  return write_then(self, std::move(batch), std::move(results));
}

log_page fetch(replica_actor* self, const std::string& cid, uint64_t their_epoch,
               uint64_t their_seq, uint32_t limit) {
  auto& log = log_of(self, cid);
  auto& db = *self->state.ctx->db;
  log_page page;
  page.cut_to = log.agreement_point(their_epoch, their_seq);
  page.source_last_seq = log.last_seq();
  page.epochs = log.epochs();
  page.members = db.channel_members(cid);
  if (auto rec = db.get_channel(cid)) {
    page.record.push_back(std::move(*rec));
  }
  if (page.cut_to < log.last_seq()) {
    auto read =
        db.read_messages(cid, page.cut_to, log.last_seq() + 1, std::max<uint32_t>(limit, 1));
    page.messages = std::move(read.messages);
  }
  return page;
}

caf::result<replica_position> sync(replica_actor* self, const std::string& cid,
                                   const epoch_claim& c, const log_page& page) {
  auto& log = log_of(self, cid);
  if (!log.grants(c)) {
    return log.position(false);
  }
  log.claim(c);
  auto& db = *self->state.ctx->db;
  storage::write_batch batch;
  // Where this log agrees with the source's, judged now (appends may have come since the
  // page was read): the tail after it was never acknowledged, and goes, nonces included.
  replica_log source{{}, page.epochs, page.source_last_seq};
  auto cut = source.agreement_point(log.last_epoch(), log.last_seq());
  if (cut < log.last_seq()) {
    auto tail =
        db.read_messages(cid, cut, log.last_seq() + 1, static_cast<uint32_t>(log.last_seq() - cut));
    for (const auto& m : tail.messages) {
      if (!m.nonce.empty()) {
        batch.delete_nonce(cid, m.author_id, m.nonce);
      }
    }
    for (auto s = cut + 1; s <= log.last_seq(); ++s) {
      batch.delete_message(cid, s);
    }
    spdlog::info("replica: channel {} cut back from seq {} to {} (never acknowledged)", cid,
                 log.last_seq(), cut);
    log.truncate(cut);
  }
  uint64_t last = log.last_seq();
  for (const auto& m : page.messages) {
    if (m.channel_id != cid) {
      return make_error(api_errc::internal, "copied message of another channel");
    }
    if (m.seq <= last) {
      continue;  // held already, and agreed
    }
    if (m.seq != last + 1) {
      break;  // a gap: the copier fetches again from where this log now ends
    }
    batch.put_message(m);
    last = m.seq;
  }
  log.adopt_epochs(page.epochs, last);
  // Members: the source's list replaces ours.
  std::unordered_set<std::string> theirs(page.members.begin(), page.members.end());
  replica_write members;
  for (const auto& u : db.channel_members(cid)) {
    if (theirs.erase(u) == 0) {
      members.remove_members.push_back(u);
    }
  }
  members.add_members.assign(theirs.begin(), theirs.end());
  members.record = page.record;
  add_to_batch(batch, members, cid);
  batch.put_meta(replica_meta_key(cid), encode_replica_meta(log));
  return write_then(self, std::move(batch), log.position(true));
}

caf::behavior replica_behavior(replica_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  return {
      [self](claim_atom, const std::string& cid, const epoch_claim& c) {
        return claim(self, cid, c);
      },
      [self](append_atom, const std::string& cid, const epoch_claim& c, uint64_t prev_seq,
             const replica_write& w) { return append(self, cid, c, prev_seq, w); },
      [self](append_atom, const std::vector<replica_append>& appends) {
        return append_all(self, appends);
      },
      [self](fetch_atom, const std::string& cid, uint64_t their_epoch, uint64_t their_seq,
             uint32_t limit) { return fetch(self, cid, their_epoch, their_seq, limit); },
      [self](sync_atom, const std::string& cid, const epoch_claim& c, const log_page& page) {
        return sync(self, cid, c, page);
      },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
  };
}

}  // namespace

caf::actor spawn_replica(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn<caf::detached>(replica_behavior, ctx);
}

void add_channel_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<storage::channel_record>("plexichat::channel_record");
  cfg.add_message_type<std::vector<storage::channel_record>>(
      "std::vector<plexichat::channel_record>");
  cfg.add_message_type<storage::message_record>("plexichat::message_record");
  cfg.add_message_type<std::vector<storage::message_record>>(
      "std::vector<plexichat::message_record>");
  cfg.add_message_type<storage::message_page>("plexichat::message_page");
  cfg.add_message_type<channel_view>("plexichat::channel_view");
  cfg.add_message_type<std::vector<channel_view>>("std::vector<plexichat::channel_view>");
  cfg.add_message_type<post_request>("plexichat::post_request");
  cfg.add_message_type<history_query>("plexichat::history_query");
  cfg.add_message_type<channel_patch>("plexichat::channel_patch");
  cfg.add_message_type<epoch_start>("plexichat::epoch_start");
  cfg.add_message_type<std::vector<epoch_start>>("std::vector<plexichat::epoch_start>");
  cfg.add_message_type<epoch_claim>("plexichat::epoch_claim");
  cfg.add_message_type<replica_position>("plexichat::replica_position");
  cfg.add_message_type<replica_write>("plexichat::replica_write");
  cfg.add_message_type<append_reply>("plexichat::append_reply");
  cfg.add_message_type<replica_append>("plexichat::replica_append");
  cfg.add_message_type<std::vector<replica_append>>("std::vector<plexichat::replica_append>");
  cfg.add_message_type<append_result>("plexichat::append_result");
  cfg.add_message_type<std::vector<append_result>>("std::vector<plexichat::append_result>");
  cfg.add_message_type<log_page>("plexichat::log_page");
  add_post_relay_types(cfg);
}

}  // namespace plexichat::actors::channel
