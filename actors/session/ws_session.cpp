#include "actors/session/ws_session.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include <boost/container/flat_map.hpp>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/channel/channel_client.hpp"
#include "actors/directory/directory.hpp"
#include "actors/message_types.hpp"
#include "actors/session/authenticate.hpp"
#include "actors/session/session_clock.hpp"
#include "actors/session/subscription.hpp"
#include "runtime/clock.hpp"
#include "runtime/crypto.hpp"

namespace plexichat::actors::session {

namespace {

constexpr uint16_t close_unauthorized = 4001;
constexpr uint16_t close_invalid_payload = 1007;
constexpr uint32_t replay_page = 200;  ///< at most; see replay_pacing
constexpr std::size_t max_pending_before_auth = 64;
// Sends awaiting their ack: a client that pipelines more gets rate_limited errors instead of
// growing the channel's mailbox without bound.
constexpr std::size_t max_sends_in_flight = 1024;
// A subscription whose channel moved to another node (cluster) is made again every
// `resubscribe_pause`, at most `resubscribe_attempts` times, before the client is told.
constexpr std::chrono::milliseconds resubscribe_pause{250};
constexpr int resubscribe_attempts = 120;

/// What a session holds only until it is ready: frames that arrive while its token is checked.
struct pre_auth_state {
  std::chrono::steady_clock::time_point deadline;  // closed if not authenticated by then
  std::vector<parsed_frame> pending;
};

/// The token's claims a ready session uses: who it is, and until when.
struct session_claims {
  std::string user_id;
  std::string username;
  std::string token_id;
  int64_t expires_at = 0;
};

/// Kept small: a session is one actor per client connection, and its state sits in the
/// actor's own allocation (CAF's event_based_actor is 1,024 bytes of it). At 192 bytes the
/// actor fits jemalloc's 1,280-byte size class; the 408 it was took the 1,536 one. What few
/// sessions need, or need for a moment, lives behind a pointer.
struct session_state {
  node_context* ctx = nullptr;
  sink_ptr sink;                                // the connection, its address, the session id
  std::shared_ptr<runtime::actor_entry> probe;  // in the node's actor table
  session_claims claims;                        // user_id empty until the token is checked
  boost::container::flat_map<std::string, subscription> subs;  // by channel id
  uint32_t sends_in_flight = 0;
  uint32_t next_generation = 1;
  std::unique_ptr<pre_auth_state> pre_auth;  // until the session is ready
  std::unique_ptr<std::map<caf::actor_addr, std::string>> channel_actors;  // watched, in a cluster
  static inline const char* name = "session";

  session_state() = default;
  session_state(const session_state&) = delete;
  session_state& operator=(const session_state&) = delete;
  /// CAF destroys an actor's state as the actor exits: the session leaves the gauge and the
  /// actor table here, not in two attachables (heap objects) of its own.
  ~session_state() {
    if (ctx == nullptr) {
      return;  // it never started
    }
    ctx->metrics->ws_sessions.Decrement();
    if (probe) {
      ctx->actor_table->remove(probe->id());
    }
  }

  bool has_claims() const { return !claims.user_id.empty(); }
  /// Its token was checked and its user found: it handles frames.
  bool ready() const { return pre_auth == nullptr; }
};

static_assert(sizeof(session_state) <= 192, "a session actor outgrows jemalloc's 1,280 class");

using session_actor = caf::stateful_actor<session_state>;

/// The session whose message runs, in a handler of the shared behavior.
session_actor* current() {
  return running<session_actor>();
}

/// Who this session serves, for the console (the inspector asks, inspect_atom): its user,
/// address and channels, a JSON object's text. Made when asked, not kept: each session
/// carried its note, 0.15 KB.
std::string note_of(const session_state& st) {
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& [cid, sub] : st.subs) {
    channels.push_back(cid);
  }
  // The session id is the entry's name already.
  nlohmann::json note = {{"address", st.sink->remote_address()},
                         {"user_id", st.claims.user_id},
                         {"user", st.claims.username},
                         {"authenticated", st.ready()},
                         {"channels", channels}};
  return note.dump();
}

/// The tick closes a session not authenticated in time, or whose token was revoked or has
/// expired. The node's session clock ticks a session at its auth deadline and, once it is
/// ready, every token_check_interval: a session holds no pending timer message of its own.
/// It schedules its own tick only while its token is being checked, or with no clock (unit
/// tests): at the auth deadline, then every token_check_interval.
void schedule_tick(session_actor* self) {
  using std::chrono::milliseconds;
  auto& st = self->state;
  milliseconds after = token_check_interval;
  if (!st.has_claims()) {
    auto left =
        std::chrono::ceil<milliseconds>(st.pre_auth->deadline - std::chrono::steady_clock::now());
    after = std::clamp(left, milliseconds{1}, after);
  }
  self->delayed_send(self, after, tick_atom::value);
}

void push(session_actor* self, const nlohmann::json& j) {
  self->state.sink->send(wire::make_frame(j));
}

void push_error(session_actor* self, const api_error& e, const std::string& nonce = {}) {
  self->state.sink->send(wire::error_frame(e, nonce));
}

void close(session_actor* self, uint16_t code, std::string reason) {
  self->state.sink->close(code, std::move(reason));
  self->quit();
}

void handle(session_actor* self, parsed_frame& pf);

void on_authenticated(session_actor* self, const storage::user_record& user) {
  auto& st = self->state;
  auto pending = std::move(st.pre_auth->pending);
  st.pre_auth.reset();
  if (st.ctx->session_clock) {
    self->send(st.ctx->session_clock, join_atom::value);
  }
  push(self,
       {{"type", "ready"}, {"user", wire::user(user)}, {"session_id", st.sink->session_id()}});
  for (auto& pf : pending) {
    handle(self, pf);
  }
}

void authenticate_session(session_actor* self, const client_frame& f) {
  auto& st = self->state;
  auto checked = authenticate(*st.ctx, f.token);
  if (auto* err = std::get_if<api_error>(&checked)) {
    close(self, close_unauthorized, err->message);
    return;
  }
  auto& claims = std::get<runtime::token_claims>(checked);
  st.claims = {std::move(claims.user_id), std::move(claims.username), std::move(claims.token_id),
               claims.expires_at};
  if (auto dir = directory::account_directory(*st.ctx, st.claims.username)) {
    self->send(*dir, touch_atom::value, st.claims.user_id, st.claims.token_id);
  }
  self->request(st.ctx->directory, caf::infinite, get_atom::value, st.claims.user_id)
      .then([self](storage::user_record& user) { on_authenticated(self, user); },
            [self](caf::error&) { close(self, close_unauthorized, "unknown user"); });
}

/// A subscription from `after_seq`, holding at most a socket queue's worth of live frames
/// while it catches up.
subscription new_subscription(session_state& st, uint64_t after_seq, uint64_t last_seq) {
  return subscription{after_seq, last_seq, st.next_generation++,
                      st.ctx->config->limits.outbound_queue_frames};
}

/// Pages asked of storage by `st`'s subscriptions that have not come back yet.
std::size_t pages_asked(const session_state& st) {
  std::size_t n = 0;
  for (const auto& [cid, sub] : st.subs) {
    n += sub.page_asked() ? 1 : 0;
  }
  return n;
}

/// Sends the next page of what a catching-up subscription still owes the client: missed
/// messages from storage, then the live frames held meanwhile; then makes it live. Paced by
/// the socket's queue (replay_pacing); one page at a time, each step sends the next. A step
/// for an earlier `generation` of the subscription is stale: one chain of steps per
/// subscription, so no page is sent twice.
void replay_next(session_actor* self, const std::string& cid, uint64_t generation) {
  auto& st = self->state;
  auto i = st.subs.find(cid);
  if (i == st.subs.end() || i->second.generation() != generation || !i->second.catching_up()) {
    return;
  }
  const replay_pacing pacing{st.ctx->config->limits.outbound_queue_frames, replay_page};
  if (!pacing.may_send(st.sink->queued(), pages_asked(st))) {
    self->delayed_send(self, std::chrono::milliseconds{20}, replay_atom::value, cid, generation);
    return;
  }
  if (!i->second.replaying()) {
    if (i->second.go_live()) {
      return;  // all sent, and the queue has room for live frames
    }
    auto held = i->second.next_held(pacing.page());
    if (!held.empty()) {
      st.sink->send(std::move(held));
    }
    if (i->second.catching_up()) {
      self->send(self, replay_atom::value, cid, generation);
    }
    return;
  }
  history_query q{i->second.delivered(), i->second.replay_until() + 1, pacing.page()};
  i->second.set_page_asked(true);
  channel::call_channel(
      self, st.ctx, cid, caf::make_message(history_atom::value, st.claims.user_id, q),
      [self, cid, gen = generation](storage::message_page& page) {
        auto j = self->state.subs.find(cid);
        // A page for a subscription that has since been replaced is stale.
        if (j == self->state.subs.end() || j->second.generation() != gen) {
          return;
        }
        j->second.set_page_asked(false);
        std::vector<wire::frame> frames;
        frames.reserve(page.messages.size());
        for (auto& m : page.messages) {
          if (m.seq > j->second.delivered()) {
            frames.push_back(wire::message_frame(m));
            j->second.on_replayed(m.seq);
          }
        }
        if (!frames.empty()) {
          self->state.sink->send(std::move(frames));
        }
        if (page.messages.empty()) {
          j->second.replay_exhausted();
        }
        if (j->second.catching_up()) {
          self->send(self, replay_atom::value, cid, gen);
        }
      },
      [self, cid, gen = generation](const api_error& e) {
        auto j = self->state.subs.find(cid);
        if (j != self->state.subs.end() && j->second.generation() == gen) {
          self->state.subs.erase(j);
          push_error(self, e);
        }
      });
}

/// In a cluster, watches the channel actor that answered, so that losing its node makes the
/// session subscribe again wherever the channel goes next.
void watch_channel(session_actor* self, const std::string& cid) {
  auto& st = self->state;
  if (st.ctx->cluster_view == nullptr) {
    return;
  }
  auto ch = caf::actor_cast<caf::actor>(self->current_sender());
  if (!ch) {
    return;
  }
  if (!st.channel_actors) {
    st.channel_actors = std::make_unique<std::map<caf::actor_addr, std::string>>();
  }
  if (st.channel_actors->emplace(ch.address(), cid).second) {
    self->monitor(ch);
  }
}

/// The channel moved (its node left, or placement changed): subscribe again after the last
/// seq sent, so that the client gets every message once, in order, without asking.
void resubscribe(session_actor* self, const std::string& cid, int attempt) {
  auto& st = self->state;
  auto i = st.subs.find(cid);
  if (i == st.subs.end()) {
    return;
  }
  auto after = i->second.delivered();
  auto gen = i->second.generation();
  channel::call_channel(
      self, st.ctx, cid,
      caf::make_message(subscribe_atom::value, st.claims.user_id,
                        caf::actor_cast<caf::actor>(self)),
      [self, cid, after, gen](uint64_t last_seq) {
        auto& st = self->state;
        auto j = st.subs.find(cid);
        if (j == st.subs.end() || j->second.generation() != gen) {
          return;  // unsubscribed or subscribed afresh meanwhile
        }
        watch_channel(self, cid);
        j->second = new_subscription(st, after, last_seq);
        if (j->second.replaying()) {
          replay_next(self, cid, j->second.generation());
        }
      },
      [self, cid, attempt, gen](const api_error& e) {
        auto& st = self->state;
        auto j = st.subs.find(cid);
        if (j == st.subs.end() || j->second.generation() != gen) {
          return;
        }
        if (e.code == api_errc::unavailable && attempt < resubscribe_attempts) {
          self->delayed_send(self, resubscribe_pause, moved_atom::value, cid, attempt + 1);
          return;
        }
        st.subs.erase(j);
        push(self, {{"type", "unsubscribed"}, {"channel_id", cid}});
        push_error(self, e);
      });
}

void subscribe(session_actor* self, const client_frame& f) {
  auto& st = self->state;
  auto cid = f.channel_id;
  channel::call_channel(
      self, st.ctx, cid,
      caf::make_message(subscribe_atom::value, st.claims.user_id,
                        caf::actor_cast<caf::actor>(self)),
      [self, cid, after = f.after_seq](uint64_t last_seq) {
        auto& st = self->state;
        watch_channel(self, cid);
        st.subs.erase(cid);
        auto& sub = st.subs.emplace(cid, new_subscription(st, after.value_or(last_seq), last_seq))
                        .first->second;
        push(self, {{"type", "subscribed"}, {"channel_id", cid}, {"last_seq", last_seq}});
        if (sub.replaying()) {
          replay_next(self, cid, sub.generation());
        }
      },
      [self, cid](const api_error& e) {
        push(self, {{"type", "error"},
                    {"code", code_name(e.code)},
                    {"message", e.message},
                    {"channel_id", cid}});
      });
}

void unsubscribe(session_actor* self, const client_frame& f) {
  auto& st = self->state;
  auto cid = f.channel_id;
  st.subs.erase(cid);
  auto done = [self, cid](auto&&...) {
    push(self, {{"type", "unsubscribed"}, {"channel_id", cid}});
  };
  channel::call_channel(
      self, st.ctx, cid, caf::make_message(unsub_atom::value, caf::actor_cast<caf::actor>(self)),
      [done](bool) { done(); }, [done](const api_error&) { done(); });
}

void send_message(session_actor* self, const client_frame& f) {
  auto& st = self->state;
  if (st.sends_in_flight >= max_sends_in_flight) {
    push_error(self, {api_errc::rate_limited, "too many sends awaiting their ack"}, f.nonce);
    return;
  }
  if (cluster::refuses_writes(st.ctx->cluster_view)) {
    push_error(self, {api_errc::unavailable, cluster::no_majority}, f.nonce);
    return;
  }
  ++st.sends_in_flight;
  post_request req{st.claims.user_id, st.claims.username, f.content, f.nonce};
  auto nonce = f.nonce;
  channel::post_to_channel(
      self, st.ctx, f.channel_id, std::move(req),
      [self, nonce](storage::message_record& m) {
        --self->state.sends_in_flight;
        self->state.sink->send(wire::ack_frame(nonce, m));
      },
      [self, nonce](const api_error& e) {
        --self->state.sends_in_flight;
        push_error(self, e, nonce);
      });
}

void handle_authenticated(session_actor* self, const client_frame& f) {
  auto& st = self->state;
  if (st.ctx->revocations->is_revoked(st.claims.token_id) ||
      st.claims.expires_at <= runtime::now_seconds()) {
    close(self, close_unauthorized, "token expired or revoked");
    return;
  }
  switch (f.kind) {
    case frame_kind::auth:
      push_error(self, {api_errc::invalid_request, "already authenticated"});
      return;
    case frame_kind::subscribe:
      subscribe(self, f);
      return;
    case frame_kind::unsubscribe:
      unsubscribe(self, f);
      return;
    case frame_kind::send:
      send_message(self, f);
      return;
    case frame_kind::ping:
      push(self, f.nonce.empty() ? nlohmann::json{{"type", "pong"}}
                                 : nlohmann::json{{"type", "pong"}, {"nonce", f.nonce}});
      return;
  }
}

void handle(session_actor* self, parsed_frame& pf) {
  auto& st = self->state;
  if (!st.ready() && st.has_claims()) {  // the token is being checked
    if (st.pre_auth->pending.size() >= max_pending_before_auth) {
      close(self, close_unauthorized, "too many frames before ready");
      return;
    }
    st.pre_auth->pending.push_back(std::move(pf));
    return;
  }
  if (!st.has_claims()) {
    if (!pf.ok || pf.frame.kind != frame_kind::auth) {
      close(self, close_unauthorized, "authenticate first");
      return;
    }
    authenticate_session(self, pf.frame);
    return;
  }
  if (!pf.ok) {
    push_error(self, pf.error, pf.nonce);
    if (pf.fatal) {
      close(self, close_invalid_payload, "frame is not JSON");
    }
    return;
  }
  handle_authenticated(self, pf.frame);
}

void on_deliver(session_actor* self, const std::string& cid, uint64_t seq,
                const wire::frame& frame) {
  auto& st = self->state;
  auto i = st.subs.find(cid);
  if (i == st.subs.end()) {
    return;
  }
  if (i->second.on_live(seq, frame)) {
    st.sink->send(frame);
  }
}

/// A channel's batch of live messages: the ones due go to the socket in one call; when all
/// are (the usual case), as the bytes the channel framed once for every subscriber.
void on_deliver_batch(session_actor* self, const wire::delivery& batch) {
  auto& st = self->state;
  auto i = st.subs.find(batch.channel_id);
  if (i == st.subs.end() || batch.frames.empty()) {
    return;
  }
  const auto& frames = batch.frames;
  auto& sub = i->second;
  std::size_t k = 0;  // frames[0, k) are due
  while (k < frames.size() && sub.on_live(frames[k].first, frames[k].second)) {
    ++k;
  }
  if (k == frames.size() && batch.framed) {
    st.sink->send_framed(batch.framed, k);
    return;
  }
  std::vector<wire::frame> due;
  for (std::size_t j = 0; j < k; ++j) {
    due.push_back(frames[j].second);
  }
  for (std::size_t j = k + 1; j < frames.size(); ++j) {  // frames[k] was not due
    if (sub.on_live(frames[j].first, frames[j].second)) {
      due.push_back(frames[j].second);
    }
  }
  if (!due.empty()) {
    st.sink->send(std::move(due));
  }
}

void leave_all(session_actor* self) {
  auto& st = self->state;
  for (auto& [cid, sub] : st.subs) {
    channel::call_channel(
        self, st.ctx, cid, caf::make_message(unsub_atom::value, caf::actor_cast<caf::actor>(self)),
        [](bool) {}, [](const api_error&) {});
  }
  st.subs.clear();
}

caf::behavior session_behavior(session_actor* self, node_context* ctx, sink_ptr sink) {
  auto& st = self->state;
  st.ctx = ctx;
  st.sink = std::move(sink);
  st.probe = table_entry(self, ctx, "session", st.sink->session_id());  // ~session_state removes it
  ctx->metrics->ws_sessions.Increment();
  st.pre_auth = std::make_unique<pre_auth_state>();
  st.pre_auth->deadline = std::chrono::steady_clock::now() + ctx->config->limits.auth_timeout;
  if (ctx->session_clock) {
    self->send(ctx->session_clock, login_atom::value);
  } else {
    schedule_tick(self);
  }
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (!st.channel_actors) {
      return;
    }
    auto i = st.channel_actors->find(dm.source);
    if (i == st.channel_actors->end()) {
      return;
    }
    auto cid = i->second;
    st.channel_actors->erase(i);
    if (st.subs.count(cid) > 0) {
      self->delayed_send(self, resubscribe_pause, moved_atom::value, cid, 1);
    }
  });
  // One set for every session (see actors::bound): each finds its session with current().
  static const caf::behavior handlers{
      [](frame_atom, parsed_frame& pf) { handle(current(), pf); },
      [](deliver_atom, const wire::delivery_ptr& batch) { on_deliver_batch(current(), *batch); },
      [](deliver_atom, const std::string& cid, uint64_t seq, const wire::frame& frame) {
        on_deliver(current(), cid, seq, frame);
      },
      [](deliver_atom, const std::string& cid, uint64_t seq, const std::string& text) {
        // From a channel on another node.
        on_deliver(current(), cid, seq, std::make_shared<const std::string>(text));
      },
      [](moved_atom, const std::string& cid) { resubscribe(current(), cid, 0); },
      [](moved_atom, const std::string& cid, int attempt) { resubscribe(current(), cid, attempt); },
      [](replay_atom, const std::string& cid, uint64_t generation) {
        replay_next(current(), cid, generation);
      },
      [](inspect_atom) { return note_of(current()->state); },
      [](unsub_atom, const std::string& cid) {
        auto* self = current();
        if (self->state.subs.erase(cid) > 0) {
          push(self, {{"type", "unsubscribed"}, {"channel_id", cid}});
        }
      },
      [](tick_atom) {
        auto* self = current();
        auto& st = self->state;
        if (!st.has_claims()) {
          if (std::chrono::steady_clock::now() >= st.pre_auth->deadline) {
            close(self, close_unauthorized, "no auth frame in time");
            return;
          }
        } else if (st.ctx->revocations->is_revoked(st.claims.token_id)) {
          close(self, close_unauthorized, "token revoked");
          return;
        } else if (st.claims.expires_at <= runtime::now_seconds()) {
          close(self, close_unauthorized, "token expired");
          return;
        }
        if (!st.ctx->session_clock || !st.ready()) {
          schedule_tick(self);
        }
      },
      [](closed_atom) {
        auto* self = current();
        leave_all(self);
        self->quit();
      },
  };
  return bound(self, st.probe, handlers);
}

}  // namespace

caf::actor spawn_ws_session(caf::actor_system& sys, node_context* ctx, sink_ptr sink) {
  return sys.spawn(session_behavior, ctx, std::move(sink));
}

}  // namespace plexichat::actors::session
