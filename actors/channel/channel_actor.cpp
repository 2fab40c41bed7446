#include "actors/channel/channel_actor.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/channel/channel_ledger.hpp"
#include "actors/channel/channel_rules.hpp"
#include "actors/channel/fan_out_pacing.hpp"
#include "actors/channel/post_relay.hpp"
#include "actors/channel/replica.hpp"
#include "actors/channel/write_queue.hpp"
#include "actors/cluster/cluster_view.hpp"
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
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_snapshot& x) {
  return f(x.members, x.last_seq);
}

struct subscriber {
  caf::actor session;
  std::string user_id;
  std::size_t group = 0;  ///< its turn in the fan-out (fan_out_pacing.hpp)
};

/// One of the nodes that hold the channel's log, as its owner tracks it (cluster only).
struct replica_link {
  std::string node;
  caf::actor actor;      ///< the node's replica store
  bool in_sync = false;  ///< its log ends where the owner's does: appends go to it
  bool copying = false;  ///< a copy to bring it up to date is under way
  uint64_t last_epoch = 0;
  uint64_t last_seq = 0;
};

/// A replicated write waiting for its quorum.
struct pending_write {
  std::size_t acks = 0;
  std::size_t outstanding = 0;  ///< replicas asked that have not answered
  std::function<void(bool)> done;
};

/// Replicated writes an owner keeps in flight at once; later ones queue and merge. A few in
/// flight keep the replicas' group commits busy; more only make each append smaller.
constexpr std::size_t writes_in_flight = 4;

/// The owner's side of replication (DESIGN.md "The cluster"): the epoch it claimed, the
/// replicas, and the writes in flight. Writes complete in the order they were made, each once
/// `quorum` replicas hold it.
struct replication {
  epoch_claim claim;
  uint64_t incarnation = 0;         ///< this node's incarnation when it claimed the channel
  std::vector<replica_link> links;  ///< this node's own first
  uint64_t stored_here = 0;         ///< where this node's copy ended at its last good append
  std::size_t quorum = 1;
  uint64_t next_id = 1;
  std::map<uint64_t, pending_write> pending;  ///< sent, waiting for the quorum
  write_queue queued;                         ///< waiting for room among `pending`

  replica_link* find(const std::string& node) {
    for (auto& l : links) {
      if (l.node == node) {
        return &l;
      }
    }
    return nullptr;
  }
};

struct channel_state {
  node_context* ctx = nullptr;
  caf::actor registry;
  std::optional<channel_ledger> ledger;
  std::map<caf::actor_addr, subscriber> subscribers;
  std::deque<std::pair<uint64_t, wire::frame>> fan_out;         ///< committed, not yet sent to all
  fan_out_pacing pacing{std::chrono::microseconds{0}};          ///< from the config once loading
  std::optional<fan_out_pacing::clock::time_point> fan_out_at;  ///< the next fanout_atom's
  durable_writes writes;
  std::optional<replication> repl;  ///< in a cluster, once the channel's epoch is claimed
  std::multimap<uint64_t, caf::typed_response_promise<storage::message_record>> waiting_for_seq;
  int64_t last_active = 0;
  bool idle_reported = false;
  bool failed = false;          // a write failed: answering what is left, then stopping
  std::string stopped_because;  // set with `failed`: what the writes left unacknowledged say
  std::shared_ptr<runtime::actor_entry> probe;  // in the node's actor table
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
  return st.subscribers.empty() && st.writes.in_flight() == 0 && st.waiting_for_seq.empty() &&
         (!st.repl || (st.repl->pending.empty() && st.repl->queued.empty()));
}

bool clustered(const node_context* ctx) {
  return ctx->cluster_view != nullptr;
}

const std::string& node_name(channel_actor* self) {
  return self->state.ctx->config->name;
}

void flush_fan_out(channel_actor* self, bool all);

/// Stops the channel: what is in flight is answered unavailable (never acknowledged), and
/// subscribers learn that they lost the channel, or, in a cluster, that it moved (they
/// subscribe again through placement).
void stop_channel(channel_actor* self, const std::string& why, bool moved) {
  auto& st = self->state;
  if (st.failed) {
    return;
  }
  flush_fan_out(self, true);  // committed messages reach the subscribers before the news
  st.failed = true;
  st.stopped_because = why;
  auto cid = channel_id(self);
  // Before anyone hears why: a lookup sent after an answer below then waits for a fresh
  // actor instead of getting this one, which is stopping.
  if (st.registry) {
    self->send(st.registry, stop_atom::value, cid);
  }
  if (st.ledger) {
    st.ledger->abandon_uncommitted();
  }
  for (auto& [addr, sub] : st.subscribers) {
    if (moved) {
      self->send(sub.session, moved_atom::value, cid);
    } else {
      self->send(sub.session, unsub_atom::value, cid);
    }
  }
  for (auto& [seq, waiting] : st.waiting_for_seq) {
    waiting.deliver(make_error(api_errc::unavailable, why + "; try again"));
  }
  st.waiting_for_seq.clear();
  st.writes.fail_all();  // later sends in flight: answered, not dropped
  if (st.repl) {
    auto pending = std::move(st.repl->pending);
    st.repl->pending.clear();
    for (auto& [id, p] : pending) {
      p.done(false);
    }
    for (auto& b : st.repl->queued.take_all()) {
      for (auto& done : b.done) {
        done(false);
      }
    }
  }
  self->quit(make_error(api_errc::unavailable, why));
}

/// What a write that was not acknowledged answers: why the channel stopped (it moved, this
/// node lost its claim, ...) when it did, else that the storage write failed.
caf::error not_written(channel_actor* self) {
  auto& st = self->state;
  return make_error(api_errc::unavailable,
                    (st.failed ? st.stopped_because : "storage write failed") + "; try again");
}

void start_copy(channel_actor* self, const std::string& node);
void send_queued(channel_actor* self);

/// A replica answered a claim or a copy with its position: the link, updated, or null when
/// the channel is stopping (or stopped now because a newer owner was promised).
replica_link* on_position(channel_actor* self, const std::string& node,
                          const replica_position& pos) {
  auto& st = self->state;
  if (st.failed) {
    return nullptr;
  }
  if (!pos.granted) {
    stop_channel(self, "the channel moved to another node", true);
    return nullptr;
  }
  auto* l = st.repl->find(node);
  if (l != nullptr) {
    l->copying = false;
    l->last_epoch = pos.last_epoch;
    l->last_seq = pos.last_seq;
  }
  return l;
}

/// This node's incarnation in `view`; 0 if it is not listed.
uint64_t own_incarnation(const cluster::cluster_view& view) {
  for (const auto& m : view.members) {
    if (m.name == view.self) {
      return m.incarnation;
    }
  }
  return 0;
}

/// Why this node may no longer serve under its claim, or nullptr: its view of the cluster was
/// not judged lately (the node stood still), it sees no majority (it may be on the losing
/// side, or it stood still and has not heard from the others yet), it holds no majority
/// lease (no majority echoed a recent heartbeat of its: after a pause, heartbeats that waited
/// in its sockets may make the others look reachable while they marked it down), or it
/// was marked down and rejoined since it claimed (the others may have gone on under a newer
/// epoch, which a replica that stood still with it never promised).
const char* why_not_serving(channel_actor* self) {
  auto* cell = self->state.ctx->cluster_view;
  auto now = std::chrono::steady_clock::now();
  if (cell->stale(now, self->state.ctx->config->cluster.suspect_after)) {
    return "this node's view of the cluster is out of date (it stood still)";
  }
  auto view = cell->get();
  if (!view || !view->has_majority) {
    return "this node cannot reach a majority of the cluster";
  }
  if (!cell->leased(now)) {
    return "this node holds no majority lease (it may have been marked down)";
  }
  if (own_incarnation(*view) != self->state.repl->incarnation) {
    return "this node was marked down and rejoined; the channel is claimed again";
  }
  return nullptr;
}

/// Completes, in order, the writes that reached their quorum, unless this node may no longer
/// serve: then nothing more is acknowledged under this claim.
void try_commit(channel_actor* self) {
  auto& r = *self->state.repl;
  if (!r.pending.empty() && r.pending.begin()->second.acks >= r.quorum) {
    if (const char* why = why_not_serving(self)) {
      spdlog::warn("channel {}: {}; acknowledging nothing more under epoch {}", channel_id(self),
                   why, r.claim.epoch);
      stop_channel(self, why, true);
      return;
    }
  }
  while (!r.pending.empty() && r.pending.begin()->second.acks >= r.quorum) {
    auto done = std::move(r.pending.begin()->second.done);
    r.pending.erase(r.pending.begin());
    done(true);
  }
  send_queued(self);
}

/// A write every asked replica answered without reaching the quorum: the channel cannot go
/// on in order, so it stops; the next lookup starts it again under a new epoch.
void settle(channel_actor* self, uint64_t id) {
  auto& r = *self->state.repl;
  auto i = r.pending.find(id);
  if (i != r.pending.end() && i->second.outstanding == 0 && i->second.acks < r.quorum) {
    spdlog::warn("channel {}: a write reached {} of {} replicas; restarting the channel",
                 channel_id(self), i->second.acks, r.quorum);
    stop_channel(self, "not enough replicas hold the write", true);
  }
}

/// Lets the ledger forget the nonces that this node's store answers for from now on: those of
/// committed messages that (in a cluster) this node's own copy holds.
void forget_stored_nonces(channel_actor* self) {
  auto& st = self->state;
  auto through = st.ledger->committed_seq();
  if (st.repl) {
    through = std::min(through, st.repl->stored_here);
  }
  st.ledger->forget_nonces_through(through);
}

void on_append(channel_actor* self, uint64_t id, const std::string& node, const append_reply& a) {
  auto& st = self->state;
  if (st.failed) {
    return;
  }
  auto& r = *st.repl;
  auto* link = r.find(node);
  if (link != nullptr) {
    link->last_epoch = a.last_epoch;
    link->last_seq = a.last_seq;
  }
  auto i = r.pending.find(id);
  switch (a.verdict) {
    case append_verdict::fenced:
      spdlog::warn("channel {}: node {} promised epoch {} to {}; this owner (epoch {}) steps down",
                   channel_id(self), node, a.promised.epoch, a.promised.owner, r.claim.epoch);
      stop_channel(self, "the channel moved to another node", true);
      return;
    case append_verdict::out_of_sync:
      if (node == node_name(self)) {
        stop_channel(self, "this node's copy of the channel fell out of step", true);
        return;
      }
      if (link != nullptr) {
        link->in_sync = false;
        start_copy(self, node);
      }
      break;
    case append_verdict::ok:
      if (i != r.pending.end()) {
        ++i->second.acks;
      }
      if (node == node_name(self)) {
        r.stored_here = std::max(r.stored_here, a.last_seq);
      }
      break;
  }
  if (i != r.pending.end()) {
    --i->second.outstanding;
  }
  try_commit(self);
  forget_stored_nonces(self);
  settle(self, id);
}

/// Sends `b` to every replica in step; its callbacks run, in order, once the quorum holds it.
void send_write(channel_actor* self, write_queue::batch b) {
  auto& st = self->state;
  auto& r = *st.repl;
  auto id = r.next_id++;
  auto& p = r.pending[id];
  if (b.done.size() == 1) {
    p.done = std::move(b.done.front());
  } else {
    p.done = [done = std::move(b.done)](bool ok) {
      for (const auto& d : done) {
        d(ok);
      }
    };
  }
  auto& w = b.write;
  uint64_t prev = w.messages.empty() ? 0 : w.messages.front().seq - 1;
  auto cid = channel_id(self);
  for (auto& link : r.links) {
    if (!link.in_sync) {
      start_copy(self, link.node);
      continue;
    }
    ++p.outstanding;
    auto sent = std::chrono::steady_clock::now();
    auto on_reply = [self, id, node = link.node, sent](append_reply& a) {
      if (a.verdict == append_verdict::ok && node != node_name(self)) {
        std::chrono::duration<double> lag = std::chrono::steady_clock::now() - sent;
        self->state.ctx->metrics->replication_lag_seconds.Observe(lag.count());
      }
      on_append(self, id, node, a);
    };
    auto on_error = [self, id, node = link.node](caf::error& err) {
      auto& st = self->state;
      if (st.failed) {
        return;
      }
      spdlog::info("channel {}: replica {} did not answer: {}", channel_id(self), node,
                   self->system().render(err));
      if (auto* l = st.repl->find(node)) {
        l->in_sync = false;
      }
      if (auto i = st.repl->pending.find(id); i != st.repl->pending.end()) {
        --i->second.outstanding;
      }
      settle(self, id);
    };
    if (link.node == node_name(self) || !st.ctx->posts) {
      self->request(link.actor, replica_append_timeout, append_atom::value, cid, r.claim, prev, w)
          .then(on_reply, on_error);
    } else {
      // To another node through the relay, which batches appends per replica; it answers
      // within replica_append_timeout.
      self->request(st.ctx->posts, caf::infinite, append_atom::value, link.actor, cid, r.claim,
                    prev, w)
          .then(on_reply, on_error);
    }
  }
  settle(self, id);
}

/// Sends queued writes while fewer than `writes_in_flight` wait for their quorum.
void send_queued(channel_actor* self) {
  auto& st = self->state;
  while (!st.failed && st.repl && !st.repl->queued.empty() &&
         st.repl->pending.size() < writes_in_flight) {
    send_write(self, st.repl->queued.pop());
  }
}

/// Replicates `w`; `done(true)` once the quorum holds it. Under load writes wait in the
/// queue, where consecutive messages merge into one append per replica.
void replicate(channel_actor* self, replica_write w, std::function<void(bool)> done) {
  self->state.repl->queued.push(std::move(w), std::move(done));
  send_queued(self);
}

/// Writes `w`: on this node's storage alone, or, in a cluster, on the channel's replicas.
void write(channel_actor* self, replica_write w, std::function<void(bool)> done) {
  auto& st = self->state;
  if (st.repl) {
    replicate(self, std::move(w), std::move(done));
    return;
  }
  storage::write_batch batch;
  add_to_batch(batch, w, channel_id(self));
  st.writes.submit(self_handle(self), *st.ctx->writer, std::move(batch), std::move(done));
}

/// Brings replica `node` up to date from this node's copy: fetch what it lacks, sync it, and
/// again until its log ends where the owner's does.
void start_copy(channel_actor* self, const std::string& node) {
  auto& st = self->state;
  auto* link = st.repl->find(node);
  if (link == nullptr || link->copying || link->in_sync) {
    return;
  }
  link->copying = true;
  st.ctx->metrics->replica_catchups.Increment();
  auto cid = channel_id(self);
  auto target = link->actor;
  auto claim = st.repl->claim;
  auto stop_copying = [self, node](caf::error& err) {
    if (self->state.failed) {
      return;
    }
    spdlog::info("channel {}: copy to {} failed: {}", channel_id(self), node,
                 self->system().render(err));
    if (auto* l = self->state.repl->find(node)) {
      l->copying = false;  // the next tick tries again
    }
  };
  self->request(st.ctx->replica, std::chrono::seconds{10}, fetch_atom::value, cid, link->last_epoch,
                link->last_seq, uint32_t{500})
      .then(
          [self, node, cid, target, claim, stop_copying](log_page& page) {
            self->state.ctx->metrics->replica_catchup_messages.Increment(
                static_cast<double>(page.messages.size()));
            self->request(target, std::chrono::seconds{10}, sync_atom::value, cid, claim, page)
                .then(
                    [self, node](replica_position& pos) {
                      auto* l = on_position(self, node, pos);
                      if (l == nullptr) {
                        return;
                      }
                      auto& st = self->state;
                      if (pos.last_seq == st.ledger->assigned_seq()) {
                        l->in_sync = true;
                        spdlog::info("channel {}: replica {} caught up at seq {}", channel_id(self),
                                     node, pos.last_seq);
                      } else {
                        self->delayed_send(self, std::chrono::milliseconds{20}, sync_atom::value,
                                           node);
                      }
                    },
                    stop_copying);
          },
          stop_copying);
}

/// Follows the cluster: a channel this node no longer owns stops (its new owner takes over
/// under a newer epoch); one it keeps adjusts its replicas.
void follow_placement(channel_actor* self) {
  auto& st = self->state;
  if (!st.repl || st.failed) {
    return;
  }
  if (const char* why = why_not_serving(self)) {
    stop_channel(self, why, true);
    return;
  }
  auto view = st.ctx->cluster_view->get();
  auto cid = channel_id(self);
  auto set = view->placement(cid, st.ctx->config->cluster.replication_factor);
  if (set.empty() || set.front() != node_name(self)) {
    spdlog::info("channel {}: now placed on {}; handing it over", cid,
                 set.empty() ? "no node" : set.front());
    stop_channel(self, "the channel is moving to another node", true);
    return;
  }
  auto& r = *st.repl;
  r.quorum = std::min(st.ctx->config->cluster.write_quorum, set.size());
  std::vector<replica_link> kept;
  for (auto& l : r.links) {
    if (std::find(set.begin(), set.end(), l.node) != set.end()) {
      kept.push_back(std::move(l));
    }
  }
  r.links = std::move(kept);
  for (const auto& n : set) {
    if (r.find(n) != nullptr) {
      continue;
    }
    auto actor = view->service(n, "replica", st.ctx->replica);
    if (!actor) {
      continue;  // not connected yet: the next change or tick adds it
    }
    r.links.push_back({n, actor, false, true, 0, 0});
    self->request(actor, std::chrono::seconds{5}, claim_atom::value, cid, r.claim)
        .then(
            [self, n](replica_position& pos) {
              if (on_position(self, n, pos) != nullptr) {
                start_copy(self, n);
              }
            },
            [self, n](caf::error&) {
              if (!self->state.failed && self->state.repl) {
                auto& links = self->state.repl->links;
                links.erase(std::remove_if(links.begin(), links.end(),
                                           [&](const replica_link& l) { return l.node == n; }),
                            links.end());
              }
            });
  }
  try_commit(self);
}

/// Writes `w`, then runs `apply` and answers true; unavailable if the write fails.
caf::result<bool> persist(channel_actor* self, replica_write w, std::function<void()> apply) {
  auto rp = self->make_response_promise<bool>();
  write(self, std::move(w), [self, rp, apply = std::move(apply)](bool ok) mutable {
    if (!ok) {
      rp.deliver(not_written(self));
      return;
    }
    apply();
    rp.deliver(true);
  });
  return rp;
}

/// Sends the committed messages to the groups of subscribers whose turn it is (every group,
/// if `all`), each the messages after those it was last sent: each local session gets one
/// actor message with all of them (one allocation shared by its group, with the bytes its
/// connection writes for them), and each other node's relay the text of each, once for all
/// its sessions.
void flush_fan_out(channel_actor* self, bool all) {
  auto& st = self->state;
  auto turn = st.pacing.take(fan_out_pacing::clock::now(), st.subscribers.size(), all);
  if (turn.to == 0) {
    return;
  }
  // One batch per starting point: the groups that were sent the same messages share it.
  std::array<wire::delivery_ptr, fan_out_pacing::groups> batch_of;
  for (std::size_t g = 0; g < fan_out_pacing::groups; ++g) {
    if (!(turn.to & (fan_out_pacing::group_set{1} << g))) {
      continue;
    }
    for (std::size_t h = 0; h < g && !batch_of[g]; ++h) {
      if (batch_of[h] && turn.after[h] == turn.after[g]) {
        batch_of[g] = batch_of[h];
      }
    }
    if (batch_of[g]) {
      continue;
    }
    auto batch = std::make_shared<wire::delivery>();
    batch->channel_id = channel_id(self);
    for (auto& f : st.fan_out) {
      if (f.first > turn.after[g]) {
        batch->frames.push_back(f);
      }
    }
    batch->framed = wire::ws_text_frames(batch->frames);  // one copy for every connection
    batch_of[g] = std::move(batch);
  }
  // Sessions on other nodes, by node: their node's relay gets each frame's text once for all.
  // They are all in group 0 (subscribe), so one batch.
  std::vector<std::pair<caf::node_id, std::vector<caf::actor>>> remote;
  std::size_t delivered = 0;
  for (auto& [addr, sub] : st.subscribers) {
    if (!(turn.to & (fan_out_pacing::group_set{1} << sub.group))) {
      continue;
    }
    delivered += batch_of[sub.group]->frames.size();
    if (sub.session.node() == self->node()) {
      self->send(sub.session, deliver_atom::value, batch_of[sub.group]);
      continue;
    }
    auto node = sub.session.node();
    auto i = std::find_if(remote.begin(), remote.end(), [&](auto& r) { return r.first == node; });
    if (i == remote.end()) {
      i = remote.insert(remote.end(), {node, {}});
    }
    i->second.push_back(sub.session);
  }
  for (auto& [node, sessions] : remote) {
    auto relay = relay_on(st.ctx, node);
    for (auto& [seq, frame] : batch_of[0]->frames) {
      if (relay) {
        self->send(relay, deliver_atom::value, batch_of[0]->channel_id, seq, *frame, sessions);
        continue;
      }
      for (auto& s : sessions) {  // no relay known there (yet): the text crosses once per session
        self->send(s, deliver_atom::value, batch_of[0]->channel_id, seq, *frame);
      }
    }
  }
  auto sent = st.pacing.sent_to_all();
  while (!st.fan_out.empty() && st.fan_out.front().first <= sent) {
    st.fan_out.pop_front();
  }
  st.ctx->metrics->messages_delivered.Increment(static_cast<double>(delivered));
}

/// Makes sure a fanout_atom comes by the next group's turn. The turn is in the message, so
/// that one sent earlier for a later turn is told apart.
void schedule_fan_out(channel_actor* self) {
  auto& st = self->state;
  auto due = st.pacing.next_due(st.subscribers.size());
  if (!due || (st.fan_out_at && *st.fan_out_at <= *due)) {
    return;
  }
  st.fan_out_at = *due;
  auto at = due->time_since_epoch().count();
  auto now = fan_out_pacing::clock::now();
  if (*due <= now) {  // (the turn of a group never sent to is the clock's minimum)
    self->send(self, fanout_atom::value, at);
  } else {
    auto wait = std::chrono::ceil<std::chrono::microseconds>(*due - now);
    self->delayed_send(self, wait, fanout_atom::value, at);
  }
}

void on_fan_out_turn(channel_actor* self, int64_t at) {
  auto& st = self->state;
  if (st.fan_out_at && st.fan_out_at->time_since_epoch().count() == at) {
    st.fan_out_at.reset();
  }
  flush_fan_out(self, false);
  schedule_fan_out(self);
}

/// Queues a committed message for its subscribers. The groups whose turn it is get it through
/// a message to the channel itself, so the messages of one durable write (which reach the
/// channel back to back) go out together; in a busy channel with many subscribers the groups
/// wait for their turns (fan_out_pacing.hpp).
void fan_out(channel_actor* self, const storage::message_record& m) {
  auto& st = self->state;
  if (st.subscribers.empty()) {
    return;
  }
  st.fan_out.emplace_back(m.seq, wire::message_frame(m));
  st.pacing.queued(m.seq);
  schedule_fan_out(self);
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
    // The channel is stopping: another write failed, or (cluster) this owner was fenced or
    // may no longer serve; the answer says which.
    rp.deliver(not_written(self));
    return;
  }
  if (!ok) {
    spdlog::error("channel {}: write of seq {} failed; reloading from storage", m.channel_id,
                  m.seq);
    stop_channel(self, "storage write failed", clustered(st.ctx));
    rp.deliver(not_written(self));
    return;
  }
  st.ledger->commit(m.seq);
  if (!st.repl) {
    forget_stored_nonces(self);
  }
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

/// Gives the send its seq and writes it; the promise is kept once it is durable.
void assign_and_write(channel_actor* self, const post_request& req,
                      caf::typed_response_promise<storage::message_record> rp) {
  auto m = self->state.ledger->assign(req.author_id, req.author, req.content, req.nonce,
                                      runtime::random_id("m"), runtime::now_ms());
  replica_write w;
  w.messages.push_back(m);
  auto start = std::chrono::steady_clock::now();
  write(self, std::move(w),
        [self, m, rp, start](bool ok) { on_post_durable(self, ok, m, rp, start); });
}

/// Posts `req` unless the store says its nonce was used within the TTL.
void post_unless_stored(channel_actor* self, const post_request& req,
                        caf::typed_response_promise<storage::message_record> rp,
                        const std::optional<storage::nonce_record>& stored) {
  auto ttl_ms = self->state.ledger->nonce_ttl_ms();
  if (stored && stored->created_at + ttl_ms >= runtime::now_ms()) {
    answer_with_existing(self, stored->seq, std::move(rp));
  } else {
    assign_and_write(self, req, std::move(rp));
  }
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
  if (req.nonce.empty()) {
    assign_and_write(self, req, rp);
    return rp;
  }
  // The ledger knows the nonces of messages this node's store may not hold yet; the store
  // knows the rest. Its memory (bloom filters, memtable) almost always answers; when the
  // answer is on disk, the channel reads it on the blocking pool and takes no other message
  // meanwhile, so that no later send overtakes this one.
  if (auto seq = ledger.find_nonce(req.author_id, req.nonce, runtime::now_ms())) {
    answer_with_existing(self, *seq, rp);
    return rp;
  }
  auto* db = st.ctx->db;
  auto cid = channel_id(self);
  auto peek = db->peek_nonce(cid, req.author_id, req.nonce);
  switch (peek.state) {
    case storage::nonce_peek::result::absent:
      assign_and_write(self, req, rp);
      break;
    case storage::nonce_peek::result::found:
      post_unless_stored(self, req, rp, peek.record);
      break;
    case storage::nonce_peek::result::unknown:
      st.ctx->metrics->nonce_disk_reads.Increment();
      run_blocking_in_order(
          self, st.ctx->blocking,
          [db, cid, req] {
            return db->find_nonce(cid, req.author_id, req.nonce).value_or(storage::nonce_record{});
          },
          [self, req, rp](storage::nonce_record rec) mutable {
            if (self->state.failed) {
              rp.deliver(not_written(self));
              return;
            }
            post_unless_stored(self, req, rp, rec.seq == 0 ? std::nullopt : std::optional{rec});
          },
          [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
      break;
  }
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
  replica_write w;
  w.add_members.push_back(user_id);
  return persist(self, std::move(w), [self, user_id] { self->state.ledger->add_member(user_id); });
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
  replica_write w;
  w.add_members.push_back(user_id);
  return persist(self, std::move(w), [self, user_id] { self->state.ledger->add_member(user_id); });
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
  replica_write w;
  w.record.push_back(rec);
  auto rp = self->make_response_promise<channel_view>();
  write(self, std::move(w), [self, rp, rec](bool ok) mutable {
    if (!ok) {
      rp.deliver(not_written(self));
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
  replica_write w;
  w.remove_members.push_back(user_id);
  return persist(self, std::move(w), [self, user_id] {
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
  // Sessions on other nodes all take group 0's turn: their node's relay then gets each frame
  // once for all of them.
  auto group = session.node() == self->node() ? st.pacing.next_group() : 0;
  if (st.subscribers.emplace(session.address(), subscriber{session, user_id, group}).second) {
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
  auto bounded = q;
  if (st.repl) {
    // A replica's copy may hold seqs that no quorum holds yet: readers never see those.
    auto end = st.ledger->committed_seq() + 1;
    bounded.before = std::min(q.before.value_or(end), end);
  }
  run_blocking(
      self, st.ctx->blocking,
      [db, cid, q = bounded] { return db->read_messages(cid, q.after, q.before, q.limit); },
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
  if (st.repl) {
    follow_placement(self);
    if (st.failed) {
      return;
    }
    for (auto& l : st.repl->links) {
      if (!l.in_sync && !l.copying) {
        start_copy(self, l.node);
      }
    }
  }
  if (!st.idle_reported && is_idle(self) && now - st.last_active >= idle_ms) {
    st.idle_reported = true;
    self->send(st.registry, idle_atom::value, channel_id(self));
  }
  self->delayed_send(self, std::chrono::milliseconds{std::max<int64_t>(idle_ms / 4, 50)},
                     tick_atom::value);
}

/// Where the channel is and how far each copy of its log is: the console's `where` (JSON).
std::string where_report(channel_actor* self) {
  auto& st = self->state;
  nlohmann::json replicas = nlohmann::json::array();
  uint64_t epoch = 0;
  if (st.repl) {
    epoch = st.repl->claim.epoch;
    for (const auto& l : st.repl->links) {
      replicas.push_back({{"node", l.node},
                          {"in_sync", l.in_sync},
                          {"copying", l.copying},
                          {"last_seq", l.last_seq}});
    }
  }
  return nlohmann::json{{"channel", channel_id(self)},
                        {"name", st.ledger->record().name},
                        {"owner", st.ctx->config->name},
                        {"epoch", epoch},
                        {"last_seq", st.ledger->committed_seq()},
                        {"assigned_seq", st.ledger->assigned_seq()},
                        {"subscribers", st.subscribers.size()},
                        {"replicas", replicas}}
      .dump();
}

caf::behavior running(channel_actor* self) {
  self->set_down_handler(
      [self](const caf::down_msg& dm) { self->state.subscribers.erase(dm.source); });
  caf::behavior handlers{
      [self](where_atom) { return where_report(self); },
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
      [self](create_atom) -> caf::result<channel_view> {
        // A new channel (cluster): its record and owner reach the replicas.
        auto& ledger = *self->state.ledger;
        replica_write w;
        w.record.push_back(ledger.record());
        w.add_members.push_back(ledger.record().owner_id);
        auto rp = self->make_response_promise<channel_view>();
        write(self, std::move(w), [self, rp](bool ok) mutable {
          if (!ok) {
            rp.deliver(make_error(api_errc::unavailable, "the channel could not be stored"));
            return;
          }
          auto& l = *self->state.ledger;
          l.add_member(l.record().owner_id);
          rp.deliver(channel_view{l.record(), l.committed_seq()});
        });
        return rp;
      },
      [self](placement_atom) { follow_placement(self); },
      [self](sync_atom, const std::string& node) {
        if (!self->state.failed && self->state.repl) {
          start_copy(self, node);
        }
      },
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
      [self](fanout_atom, int64_t at) { on_fan_out_turn(self, at); },
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
  return counted(self, self->state.probe, std::move(handlers));
}

/// Reads the channel's members and last seq, then serves.
void load_and_serve(channel_actor* self, storage::channel_record record) {
  auto* ctx = self->state.ctx;
  auto* db = ctx->db;
  auto cid = record.id;
  auto ttl_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx->config->channels.nonce_ttl)
          .count();
  run_blocking(
      self, ctx->blocking,
      [db, cid] {
        channel_snapshot s;
        s.members = db->channel_members(cid);
        s.last_seq = db->last_seq(cid);
        return s;
      },
      [self, record, ttl_ms](channel_snapshot s) mutable {
        self->state.ledger.emplace(std::move(record), s.members, s.last_seq, ttl_ms);
        touch(self);
        self->set_default_handler(caf::print_and_drop);
        self->become(running(self));
        on_tick(self);
        if (self->state.repl) {
          for (auto& l : self->state.repl->links) {
            if (!l.in_sync) {
              start_copy(self, l.node);
            }
          }
        }
      },
      [self](api_error e) { self->quit(make_error(e.code, e.message)); });
}

/// What a takeover learnt from the claim: every live member's position.
struct claim_round {
  epoch_claim claim;
  uint64_t incarnation = 0;                  ///< this node's, when it claimed
  std::vector<std::string> replicas;         ///< the placement, owner (this node) first
  std::map<std::string, caf::actor> stores;  ///< live member -> its replica store
  std::map<std::string, replica_position> answers;
  std::size_t remaining = 0;
  bool failed = false;
};

void take_over(channel_actor* self, storage::channel_record record, uint64_t epoch, int attempt);

/// True when two logs end at the same message: the same last seq under the same epoch. Equal
/// seqs under different epochs are different messages (one of them never reached a quorum).
bool same_end(const replica_position& a, const replica_position& b) {
  return a.last_epoch == b.last_epoch && a.last_seq == b.last_seq;
}

/// Copies from `source` into this node's store until its log ends where `target` (the newest
/// copy) does, cutting back whatever tail of its own the source does not hold; then serves.
void catch_up(channel_actor* self, storage::channel_record record,
              std::shared_ptr<claim_round> round, caf::actor source, replica_position target) {
  auto& st = self->state;
  auto& mine = round->answers[node_name(self)];
  auto cid = record.id;
  auto fail = [self, cid](caf::error& err) {
    spdlog::warn("channel {}: catching up failed: {}", cid, self->system().render(err));
    self->quit(make_error(api_errc::unavailable, "the channel could not catch up; try again"));
  };
  if (same_end(mine, target)) {
    // The owner's copy is complete; replicas in step with it get appends from now on.
    replication r;
    r.claim = round->claim;
    r.incarnation = round->incarnation;
    r.quorum = std::min(st.ctx->config->cluster.write_quorum, round->replicas.size());
    for (const auto& n : round->replicas) {
      const auto& pos = round->answers[n];
      r.links.push_back(
          {n, round->stores[n], same_end(pos, mine), false, pos.last_epoch, pos.last_seq});
    }
    st.repl = std::move(r);
    spdlog::info("channel {}: serving under epoch {} from seq {}", cid, round->claim.epoch,
                 mine.last_seq);
    load_and_serve(self, std::move(record));
    return;
  }
  self->request(source, std::chrono::seconds{10}, fetch_atom::value, cid, mine.last_epoch,
                mine.last_seq, uint32_t{1000})
      .then(
          [self, record, round, source, target, cid, fail](log_page& page) mutable {
            self->request(self->state.ctx->replica, std::chrono::seconds{10}, sync_atom::value, cid,
                          round->claim, page)
                .then(
                    [self, record, round, source, target](replica_position& pos) mutable {
                      if (!pos.granted) {
                        self->quit(
                            make_error(api_errc::unavailable, "another node claimed the channel"));
                        return;
                      }
                      auto& mine = round->answers[node_name(self)];
                      bool moved = !same_end(pos, mine);
                      mine = pos;
                      if (!moved && !same_end(pos, target)) {
                        self->quit(make_error(api_errc::unavailable,
                                              "the channel's copies disagree; try again"));
                        return;
                      }
                      catch_up(self, std::move(record), round, source, target);
                    },
                    fail);
          },
          fail);
}

/// Every live member answered the claim: retry with a newer epoch if one refused, else catch
/// up from the newest copy.
void on_claimed(channel_actor* self, storage::channel_record record,
                std::shared_ptr<claim_round> round, int attempt) {
  uint64_t newest_promise = 0;
  bool refused = false;
  std::string best = node_name(self);
  for (const auto& [n, pos] : round->answers) {
    if (!pos.granted) {
      refused = true;
      newest_promise = std::max(newest_promise, pos.promised.epoch);
    }
    if (pos.newer_than(round->answers[best])) {
      best = n;
    }
  }
  if (refused) {
    if (attempt >= 3) {
      self->quit(make_error(api_errc::unavailable, "another node is taking the channel over"));
      return;
    }
    take_over(self, std::move(record), newest_promise + 1, attempt + 1);
    return;
  }
  auto target = round->answers[best];
  const auto& mine = round->answers[node_name(self)];
  if (!same_end(mine, target)) {
    spdlog::info("channel {}: catching up from {} (epoch {} seq {} -> epoch {} seq {})", record.id,
                 best, mine.last_epoch, mine.last_seq, target.last_epoch, target.last_seq);
  }
  catch_up(self, std::move(record), round, round->stores[best], target);
}

/// Claims the channel at every live member under `epoch` (DESIGN.md "The cluster"): once
/// they all promised it, no older owner can reach a quorum, and the newest copy among them
/// holds every acknowledged write.
void take_over(channel_actor* self, storage::channel_record record, uint64_t epoch, int attempt) {
  auto* ctx = self->state.ctx;
  auto view = ctx->cluster_view->get();
  auto cid = record.id;
  if (!view || !view->has_majority ||
      !ctx->cluster_view->leased(std::chrono::steady_clock::now())) {
    self->quit(make_error(api_errc::unavailable, cluster::no_majority));
    return;
  }
  auto round = std::make_shared<claim_round>();
  round->claim = {epoch, node_name(self)};
  round->incarnation = own_incarnation(*view);
  round->replicas = view->placement(cid, ctx->config->cluster.replication_factor);
  if (round->replicas.empty() || round->replicas.front() != node_name(self)) {
    self->quit(make_error(api_errc::unavailable, "the channel is moving; try again"));
    return;
  }
  for (const auto& n : view->live_members()) {
    auto store = view->service(n, "replica", ctx->replica);
    if (!store) {
      self->quit(make_error(api_errc::unavailable, "node " + n + " is not connected yet"));
      return;
    }
    round->stores[n] = store;
  }
  round->remaining = round->stores.size();
  for (const auto& [n, store] : round->stores) {
    self->request(store, std::chrono::seconds{3}, claim_atom::value, cid, round->claim)
        .then(
            [self, record, round, attempt, n = n](replica_position& pos) {
              round->answers[n] = pos;
              if (--round->remaining == 0 && !round->failed) {
                on_claimed(self, record, round, attempt);
              }
            },
            [self, round, cid, n = n](caf::error& err) {
              if (!round->failed) {
                round->failed = true;
                spdlog::info("channel {}: {} did not answer the claim: {}", cid, n,
                             self->system().render(err));
                self->quit(make_error(api_errc::unavailable, "node " + n + " did not answer"));
              }
            });
  }
}

caf::behavior loading(channel_actor* self, node_context* ctx, caf::actor registry,
                      storage::channel_record record) {
  self->state.ctx = ctx;
  self->state.registry = std::move(registry);
  self->state.pacing =
      fan_out_pacing{ctx->config->channels.fan_out_max_hold, ctx->config->channels.fan_out_turns};
  // Everything but the snapshot waits in the mailbox until the channel is loaded.
  self->set_default_handler(caf::skip);
  self->state.probe = probe_actor(self, ctx, "channel", record.id);
  if (clustered(ctx)) {
    // Epochs start from the clock, so that a takeover usually needs one round; a refusal
    // names the newer promise to go past.
    take_over(self, std::move(record), static_cast<uint64_t>(runtime::now_ms()), 1);
  } else {
    load_and_serve(self, std::move(record));
  }
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
