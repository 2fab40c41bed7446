#include "actors/channel/channel_actor.hpp"

#include <chrono>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/channel/channel_ledger.hpp"
#include "actors/channel/channel_rules.hpp"
#include "actors/durable_writes.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "actors/wire.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::channel {

namespace {

/// What a channel actor reads from storage when it starts.
struct channel_snapshot {
  std::vector<std::string> members;
  uint64_t last_seq = 0;
  std::vector<nonce_entry> nonces;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_snapshot& x) {
  return f(x.members, x.last_seq, x.nonces);
}

struct subscriber {
  caf::actor session;
  std::string user_id;
};

struct channel_state {
  node_context* ctx = nullptr;
  caf::actor registry;
  std::optional<channel_ledger> ledger;
  std::map<caf::actor_addr, subscriber> subscribers;
  durable_writes writes;
  std::multimap<uint64_t, caf::typed_response_promise<storage::message_record>> waiting_for_seq;
  int64_t last_active = 0;
  bool idle_reported = false;
  bool failed = false;  // a write failed: answering what is left, then stopping
  static inline const char* name = "channel";
};

using channel_actor = caf::stateful_actor<channel_state>;

caf::actor self_handle(channel_actor* self) {
  return caf::actor_cast<caf::actor>(self);
}

const std::string& channel_id(channel_actor* self) {
  return self->state.ledger->record().id;
}

void touch(channel_actor* self) {
  self->state.last_active = runtime::now_ms();
  self->state.idle_reported = false;
}

bool is_idle(channel_actor* self) {
  auto& st = self->state;
  return st.subscribers.empty() && st.writes.in_flight() == 0 && st.waiting_for_seq.empty();
}

/// Writes a batch, then runs `apply` and answers true; unavailable if the write fails.
caf::result<bool> persist(channel_actor* self, storage::write_batch batch,
                          std::function<void()> apply) {
  auto rp = self->make_response_promise<bool>();
  self->state.writes.submit(
      self_handle(self), *self->state.ctx->writer, std::move(batch),
      [rp, apply = std::move(apply)](bool ok) mutable {
        if (!ok) {
          rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
          return;
        }
        apply();
        rp.deliver(true);
      });
  return rp;
}

void fan_out(channel_actor* self, const storage::message_record& m) {
  auto frame = wire::message_frame(m);
  for (auto& [addr, sub] : self->state.subscribers) {
    self->send(sub.session, deliver_atom::value, m.channel_id, m.seq, frame);
  }
  self->state.ctx->metrics->messages_delivered.Increment(
      static_cast<double>(self->state.subscribers.size()));
}

/// Answers a repeated nonce with the message it first produced.
void answer_with_existing(channel_actor* self, uint64_t seq,
                          caf::typed_response_promise<storage::message_record> rp) {
  auto& st = self->state;
  st.ctx->metrics->messages_deduplicated.Increment();
  if (seq > st.ledger->committed_seq()) {
    st.waiting_for_seq.emplace(seq, std::move(rp));
    return;
  }
  auto* db = st.ctx->db;
  auto cid = channel_id(self);
  run_blocking(
      self, st.ctx->blocking,
      [db, cid, seq] { return db->read_messages(cid, seq - 1, seq + 1, 1); },
      [rp](storage::message_page page) mutable {
        if (page.messages.empty()) {
          rp.deliver(make_error(api_errc::unavailable, "message not readable"));
        } else {
          rp.deliver(std::move(page.messages.front()));
        }
      },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
}

void on_post_durable(channel_actor* self, bool ok, const storage::message_record& m,
                     caf::typed_response_promise<storage::message_record> rp,
                     std::chrono::steady_clock::time_point start) {
  auto& st = self->state;
  if (!ok && st.failed) {
    // Another write of this channel already failed; the actor is stopping.
    rp.deliver(make_error(api_errc::unavailable, "storage write failed; try again"));
    return;
  }
  if (!ok) {
    st.failed = true;
    spdlog::error("channel {}: write of seq {} failed; reloading from storage", m.channel_id,
                  m.seq);
    st.ledger->abandon_uncommitted();
    rp.deliver(make_error(api_errc::unavailable, "storage write failed; try again"));
    // Subscribers learn that they no longer get this channel's messages.
    for (auto& [addr, sub] : st.subscribers) {
      self->send(sub.session, unsub_atom::value, m.channel_id);
    }
    for (auto& [seq, waiting] : st.waiting_for_seq) {
      waiting.deliver(make_error(api_errc::unavailable, "storage write failed; try again"));
    }
    st.waiting_for_seq.clear();
    st.writes.fail_all();  // later sends in flight: answered, not dropped
    self->quit(make_error(api_errc::unavailable, "storage write failed"));
    return;
  }
  st.ledger->commit(m.seq);
  st.ctx->metrics->messages_received.Increment();
  st.ctx->metrics->ack_latency_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  rp.deliver(m);
  fan_out(self, m);
  auto range = st.waiting_for_seq.equal_range(m.seq);
  for (auto i = range.first; i != range.second; ++i) {
    i->second.deliver(m);
  }
  st.waiting_for_seq.erase(range.first, range.second);
}

caf::result<storage::message_record> post(channel_actor* self, const post_request& req) {
  auto& st = self->state;
  auto& ledger = *st.ledger;
  touch(self);
  if (!ledger.is_member(req.author_id)) {
    return ledger.can_view(req.author_id)
               ? make_error(api_errc::forbidden, "only members can post to this channel")
               : make_error(api_errc::not_found, "no such channel");
  }
  auto rp = self->make_response_promise<storage::message_record>();
  auto now = runtime::now_ms();
  if (!req.nonce.empty()) {
    if (auto seq = ledger.find_nonce(req.author_id, req.nonce, now)) {
      answer_with_existing(self, *seq, rp);
      return rp;
    }
  }
  auto m = ledger.assign(req.author_id, req.author, req.content, req.nonce, runtime::random_id("m"),
                         now);
  storage::write_batch batch;
  batch.put_message(m);
  auto start = std::chrono::steady_clock::now();
  st.writes.submit(self_handle(self), *st.ctx->writer, std::move(batch),
                   [self, m, rp, start](bool ok) { on_post_durable(self, ok, m, rp, start); });
  return rp;
}

caf::result<bool> join(channel_actor* self, const std::string& user_id) {
  auto& ledger = *self->state.ledger;
  touch(self);
  if (ledger.is_member(user_id)) {
    return true;
  }
  if (ledger.record().is_private) {
    return make_error(api_errc::not_found, "no such channel");
  }
  storage::write_batch batch;
  batch.add_member({ledger.record().id, user_id, runtime::now_ms()});
  return persist(self, std::move(batch),
                 [self, user_id] { self->state.ledger->add_member(user_id); });
}

caf::result<bool> add_member(channel_actor* self, const std::string& by, const std::string& user_id,
                             bool by_admin) {
  auto& ledger = *self->state.ledger;
  touch(self);
  if (auto e =
          check_add(ledger.record(), by, ledger.is_member(by), ledger.can_view(by), by_admin)) {
    return make_error(e->code, e->message);
  }
  if (ledger.is_member(user_id)) {
    return true;
  }
  storage::write_batch batch;
  batch.add_member({ledger.record().id, user_id, runtime::now_ms()});
  return persist(self, std::move(batch),
                 [self, user_id] { self->state.ledger->add_member(user_id); });
}

/// Renames or re-topics the channel; the registry learns the new record once durable.
caf::result<channel_view> update(channel_actor* self, const std::string& by, bool by_admin,
                                 const channel_patch& patch) {
  auto& ledger = *self->state.ledger;
  touch(self);
  if (auto e = check_update(ledger.record(), by, ledger.can_view(by), by_admin)) {
    return make_error(e->code, e->message);
  }
  auto rec = patched(ledger.record(), patch);
  storage::write_batch batch;
  batch.put_channel(rec);
  auto rp = self->make_response_promise<channel_view>();
  self->state.writes.submit(
      self_handle(self), *self->state.ctx->writer, std::move(batch),
      [self, rp, rec](bool ok) mutable {
        if (!ok) {
          rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
          return;
        }
        auto& l = *self->state.ledger;
        l.set_record(rec);
        self->send(self->state.registry, update_atom::value, rec);
        rp.deliver(channel_view{rec, l.committed_seq()});
      });
  return rp;
}

void drop_subscriptions_of(channel_actor* self, const std::string& user_id) {
  auto& subs = self->state.subscribers;
  for (auto i = subs.begin(); i != subs.end();) {
    if (i->second.user_id != user_id) {
      ++i;
      continue;
    }
    self->send(i->second.session, unsub_atom::value, channel_id(self));
    self->demonitor(i->second.session);
    i = subs.erase(i);
  }
}

caf::result<bool> leave(channel_actor* self, const std::string& user_id) {
  auto& ledger = *self->state.ledger;
  touch(self);
  if (!ledger.is_member(user_id)) {
    return make_error(api_errc::not_found, "you are not a member of this channel");
  }
  storage::write_batch batch;
  batch.remove_member(ledger.record().id, user_id);
  return persist(self, std::move(batch), [self, user_id] {
    self->state.ledger->remove_member(user_id);
    drop_subscriptions_of(self, user_id);
  });
}

/// Removes `user_id` on behalf of `by` (the owner, an admin, or the user themselves).
caf::result<bool> kick(channel_actor* self, const std::string& by, const std::string& user_id,
                       bool by_admin) {
  auto& ledger = *self->state.ledger;
  touch(self);
  if (auto e = check_remove(ledger.record(), by, user_id, ledger.can_view(by), by_admin)) {
    return make_error(e->code, e->message);
  }
  if (!ledger.is_member(user_id)) {
    return make_error(api_errc::not_found, "that user is not a member of this channel");
  }
  return leave(self, user_id);
}

caf::result<uint64_t> subscribe(channel_actor* self, const std::string& user_id,
                                const caf::actor& session) {
  auto& st = self->state;
  touch(self);
  if (!st.ledger->is_member(user_id)) {
    return st.ledger->can_view(user_id)
               ? make_error(api_errc::forbidden, "join the channel to subscribe")
               : make_error(api_errc::not_found, "no such channel");
  }
  if (st.subscribers.emplace(session.address(), subscriber{session, user_id}).second) {
    self->monitor(session);
  }
  return st.ledger->committed_seq();
}

caf::result<storage::message_page> history(channel_actor* self, const std::string& user_id,
                                           const history_query& q) {
  auto& st = self->state;
  touch(self);
  if (!st.ledger->is_member(user_id)) {
    return st.ledger->can_view(user_id)
               ? make_error(api_errc::forbidden, "join the channel to read its messages")
               : make_error(api_errc::not_found, "no such channel");
  }
  auto rp = self->make_response_promise<storage::message_page>();
  auto* db = st.ctx->db;
  auto cid = channel_id(self);
  run_blocking(
      self, st.ctx->blocking,
      [db, cid, q] { return db->read_messages(cid, q.after, q.before, q.limit); },
      [rp](storage::message_page page) mutable { rp.deliver(std::move(page)); },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
  return rp;
}

void on_tick(channel_actor* self) {
  auto& st = self->state;
  auto idle_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(st.ctx->config->channels.idle_stop)
          .count();
  auto now = runtime::now_ms();
  st.ledger->prune_nonces(now);
  if (!st.idle_reported && is_idle(self) && now - st.last_active >= idle_ms) {
    st.idle_reported = true;
    self->send(st.registry, idle_atom::value, channel_id(self));
  }
  self->delayed_send(self, std::chrono::milliseconds{std::max<int64_t>(idle_ms / 4, 50)},
                     tick_atom::value);
}

caf::behavior running(channel_actor* self) {
  self->set_down_handler(
      [self](const caf::down_msg& dm) { self->state.subscribers.erase(dm.source); });
  return {
      [self](info_atom, const std::string& user_id) -> caf::result<channel_view> {
        auto& ledger = *self->state.ledger;
        if (!ledger.can_view(user_id)) {
          return make_error(api_errc::not_found, "no such channel");
        }
        return channel_view{ledger.record(), ledger.committed_seq()};
      },
      [self](join_atom, const std::string& user_id) { return join(self, user_id); },
      [self](add_atom, const std::string& by, const std::string& user_id) {
        return add_member(self, by, user_id, false);
      },
      [self](add_atom, const std::string& by, const std::string& user_id, bool by_admin) {
        return add_member(self, by, user_id, by_admin);
      },
      [self](kick_atom, const std::string& by, const std::string& user_id, bool by_admin) {
        return kick(self, by, user_id, by_admin);
      },
      [self](update_atom, const std::string& by, bool by_admin, const channel_patch& patch) {
        return update(self, by, by_admin, patch);
      },
      [self](leave_atom, const std::string& user_id) { return leave(self, user_id); },
      [self](post_atom, const post_request& req) { return post(self, req); },
      [self](subscribe_atom, const std::string& user_id, const caf::actor& session) {
        return subscribe(self, user_id, session);
      },
      [self](unsub_atom, const caf::actor& session) {
        self->state.subscribers.erase(session.address());
        self->demonitor(session);
        touch(self);
        return true;
      },
      [self](history_atom, const std::string& user_id, const history_query& q) {
        return history(self, user_id, q);
      },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
      [self](tick_atom) { on_tick(self); },
      [self](stop_atom) {
        bool stop = is_idle(self);
        self->state.idle_reported = stop;
        if (stop) {
          self->quit();
        }
        return stop;
      },
  };
}

caf::behavior loading(channel_actor* self, node_context* ctx, caf::actor registry,
                      storage::channel_record record) {
  self->state.ctx = ctx;
  self->state.registry = std::move(registry);
  // Everything but the snapshot waits in the mailbox until the channel is loaded.
  self->set_default_handler(caf::skip);
  auto* db = ctx->db;
  auto cid = record.id;
  auto ttl_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx->config->channels.nonce_ttl)
          .count();
  run_blocking(
      self, ctx->blocking,
      [db, cid, ttl_ms] {
        channel_snapshot s;
        s.members = db->channel_members(cid);
        s.last_seq = db->last_seq(cid);
        for (auto& [author, nonce, rec] : db->channel_nonces(cid, runtime::now_ms() - ttl_ms)) {
          s.nonces.push_back({author, nonce, rec.seq, rec.created_at});
        }
        return s;
      },
      [self, record, ttl_ms](channel_snapshot s) mutable {
        self->state.ledger.emplace(std::move(record), s.members, s.last_seq, s.nonces, ttl_ms);
        touch(self);
        self->set_default_handler(caf::print_and_drop);
        self->become(running(self));
        on_tick(self);
      },
      [self](api_error e) { self->quit(make_error(e.code, e.message)); });
  return {
      [](committed_atom, uint64_t, bool) {},
  };
}

}  // namespace

caf::actor spawn_channel_actor(caf::event_based_actor* registry, node_context* ctx,
                               storage::channel_record record) {
  // Linked: when the registry stops (the node stopping), its channels stop with it.
  return registry->spawn<caf::linked>(loading, ctx, caf::actor_cast<caf::actor>(registry),
                                      std::move(record));
}

}  // namespace plexichat::actors::channel
