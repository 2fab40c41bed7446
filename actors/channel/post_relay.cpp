#include "actors/channel/post_relay.hpp"

#include <memory>
#include <string>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/channel/batch_lanes.hpp"
#include "actors/channel/channel_client.hpp"
#include "actors/channel/replica.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "actors/wire.hpp"

namespace plexichat::actors::channel {

namespace {

/// Batches per node that may await their answers at once, posts per batch, and appends per
/// batch (each may carry many messages already: write_queue).
constexpr std::size_t batches_in_flight = 4;
constexpr std::size_t max_batch = 256;
constexpr std::size_t max_append_batch = 64;

using answer = caf::typed_response_promise<storage::message_record>;

struct queued_post {
  caf::actor channel;
  post_request request;
  answer rp;
};

/// A channel owner's append for a replica on another node (send_write in channel_actor.cpp).
struct queued_append {
  replica_append append;
  caf::typed_response_promise<append_reply> rp;
};

struct relay_state {
  node_context* ctx = nullptr;
  batch_lanes<caf::node_id, queued_post> lanes{batches_in_flight, max_batch};
  /// By the replica actor they go to.
  batch_lanes<caf::actor_addr, queued_append> appends{batches_in_flight, max_append_batch};
  static inline const char* name = "post_relay";
};

using relay_actor = caf::stateful_actor<relay_state>;

/// A message from a channel on another node for sessions here: one frame for all of them.
void deliver_here(relay_actor* self, const std::string& cid, uint64_t seq, const std::string& text,
                  const std::vector<caf::actor>& sessions) {
  auto frame = std::make_shared<const std::string>(text);
  for (const auto& s : sessions) {
    if (s && s.node() == self->node()) {
      self->send(s, deliver_atom::value, cid, seq, wire::frame{frame});
    }
  }
}

void send_batch(relay_actor* self, const caf::actor& relay, const caf::node_id& node,
                std::vector<queued_post> batch);

/// Sends `batch` to `node`'s relay, and the next batch once it is answered; without a relay
/// there, each post goes to its channel actor directly.
void flush(relay_actor* self, const caf::node_id& node, std::vector<queued_post> batch) {
  while (!batch.empty()) {
    if (auto relay = relay_on(self->state.ctx, node)) {
      send_batch(self, relay, node, std::move(batch));
      return;
    }
    for (auto& p : batch) {
      self->request(p.channel, remote_channel_timeout, post_atom::value, std::move(p.request))
          .then([rp = p.rp](storage::message_record& m) mutable { rp.deliver(std::move(m)); },
                [rp = p.rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    }
    batch = self->state.lanes.settled(node);
  }
}

/// Sends `wire` to `dest` as one request (atom, items), whose answer has one result per item,
/// in order: each goes to its promise through `deliver`, then `next()` sends what queued
/// meanwhile. A batch that fails, or is not answered within `timeout`, fails its promises and
/// those queued behind it (`drain()`, which answers the queued ones' promises): they would likely
/// fail the same way after waiting as long again, so a node that stopped answering costs a
/// request one timeout, not one per batch ahead of it.
template <class Atom, class Wire, class Result, class Promise, class Deliver, class Drain,
          class Next>
void request_batch(relay_actor* self, const caf::actor& dest, caf::duration timeout, Atom atom,
                   std::vector<Wire> wire, std::vector<Promise> promises, Deliver deliver,
                   Drain drain, Next next) {
  self->request(dest, timeout, atom, std::move(wire))
      .then(
          [promises, deliver, next](std::vector<Result>& results) mutable {
            for (std::size_t i = 0; i < promises.size(); ++i) {
              if (i < results.size()) {
                deliver(promises[i], results[i]);
              } else {
                promises[i].deliver(
                    make_error(api_errc::internal, "a relayed request went unanswered"));
              }
            }
            next();
          },
          [promises, drain, next](caf::error& err) mutable {
            for (auto& rp : promises) {
              rp.deliver(err);
            }
            drain(err);
            next();
          });
}

void send_batch(relay_actor* self, const caf::actor& relay, const caf::node_id& node,
                std::vector<queued_post> batch) {
  std::vector<relayed_post> posts;
  std::vector<answer> answers;
  posts.reserve(batch.size());
  answers.reserve(batch.size());
  for (auto& p : batch) {
    posts.push_back({std::move(p.channel), std::move(p.request)});
    answers.push_back(std::move(p.rp));
  }
  request_batch<post_atom, relayed_post, post_outcome>(
      self, relay, caf::duration{remote_channel_timeout}, post_atom::value, std::move(posts),
      std::move(answers),
      [](answer& rp, post_outcome& out) {
        if (out.error) {
          rp.deliver(std::move(out.error));
        } else {
          rp.deliver(std::move(out.message));
        }
      },
      [self, node](const caf::error& err) {
        for (auto& p : self->state.lanes.drain(node)) {
          p.rp.deliver(err);
        }
      },
      [self, node] { flush(self, node, self->state.lanes.settled(node)); });
}

/// Sends `batch` to the replica `dest`, then the next batch once it is answered.
void send_appends(relay_actor* self, const caf::actor& dest, std::vector<queued_append> batch) {
  if (batch.empty()) {
    return;
  }
  std::vector<replica_append> appends;
  std::vector<caf::typed_response_promise<append_reply>> answers;
  appends.reserve(batch.size());
  answers.reserve(batch.size());
  for (auto& a : batch) {
    appends.push_back(std::move(a.append));
    answers.push_back(std::move(a.rp));
  }
  request_batch<append_atom, replica_append, append_result>(
      self, dest, caf::duration{replica_append_timeout}, append_atom::value, std::move(appends),
      std::move(answers),
      [](caf::typed_response_promise<append_reply>& rp, append_result& out) {
        if (out.error) {
          rp.deliver(std::move(out.error));
        } else {
          rp.deliver(out.reply);
        }
      },
      [self, addr = dest.address()](const caf::error& err) {
        for (auto& a : self->state.appends.drain(addr)) {
          a.rp.deliver(err);
        }
      },
      [self, dest] { send_appends(self, dest, self->state.appends.settled(dest.address())); });
}

caf::result<append_reply> relay_append(relay_actor* self, const caf::actor& replica,
                                       replica_append& append) {
  auto rp = self->make_response_promise<append_reply>();
  send_appends(self, replica, self->state.appends.push(replica.address(), {std::move(append), rp}));
  return rp;
}

caf::result<storage::message_record> relay(relay_actor* self, caf::actor& channel,
                                           post_request& request) {
  auto rp = self->make_response_promise<storage::message_record>();
  auto node = channel.node();
  flush(self, node, self->state.lanes.push(node, {std::move(channel), std::move(request), rp}));
  return rp;
}

/// A batch from a peer's relay: every post goes to its channel actor, and the batch is
/// answered once all of them are. A channel actor that stopped meanwhile answers
/// request_receiver_down, as a direct request would, so that the sender looks it up again.
caf::result<std::vector<post_outcome>> dispatch(relay_actor* self,
                                                std::vector<relayed_post>& posts) {
  if (posts.empty()) {
    return std::vector<post_outcome>{};
  }
  struct gathered {
    std::vector<post_outcome> outcomes;
    std::size_t left;
    caf::typed_response_promise<std::vector<post_outcome>> rp;
    void settle() {
      if (--left == 0) {
        rp.deliver(std::move(outcomes));
      }
    }
  };
  auto g = std::make_shared<gathered>(
      gathered{std::vector<post_outcome>(posts.size()), posts.size(),
               self->make_response_promise<std::vector<post_outcome>>()});
  for (std::size_t i = 0; i < posts.size(); ++i) {
    auto& p = posts[i];
    if (!p.channel || p.channel.node() != self->node()) {
      g->outcomes[i].error = caf::make_error(caf::sec::request_receiver_down);
      g->settle();
      continue;
    }
    self->request(p.channel, caf::infinite, post_atom::value, std::move(p.request))
        .then(
            [g, i](storage::message_record& m) {
              g->outcomes[i].message = std::move(m);
              g->settle();
            },
            [g, i](caf::error& err) {
              g->outcomes[i].error = std::move(err);
              g->settle();
            });
  }
  return g->rp;
}

caf::behavior relay_behavior(relay_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  caf::behavior handlers{
      [self](post_atom, caf::actor& channel, post_request& request) {
        return relay(self, channel, request);
      },
      [self](post_atom, std::vector<relayed_post>& posts) { return dispatch(self, posts); },
      [self](deliver_atom, const std::string& cid, uint64_t seq, const std::string& text,
             const std::vector<caf::actor>& sessions) {
        deliver_here(self, cid, seq, text, sessions);
      },
      [self](append_atom, const caf::actor& replica, std::string& cid, const epoch_claim& claim,
             uint64_t prev_seq, replica_write& w) {
        replica_append a{std::move(cid), claim, prev_seq, std::move(w)};
        return relay_append(self, replica, a);
      },
  };
  return probed(self, ctx, "post_relay", std::move(handlers));
}

}  // namespace

caf::actor spawn_post_relay(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn(relay_behavior, ctx);
}

caf::actor relay_on(const node_context* ctx, const caf::node_id& node) {
  auto view = ctx->cluster_view != nullptr ? ctx->cluster_view->get() : nullptr;
  if (!view) {
    return {};
  }
  for (const auto& [name, services] : view->peers) {
    if (auto relay = services.find("posts"); relay && relay.node() == node) {
      return relay;
    }
  }
  return {};
}

void add_post_relay_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<relayed_post>("plexichat::relayed_post");
  cfg.add_message_type<std::vector<relayed_post>>("std::vector<plexichat::relayed_post>");
  cfg.add_message_type<post_outcome>("plexichat::post_outcome");
  cfg.add_message_type<std::vector<post_outcome>>("std::vector<plexichat::post_outcome>");
}

}  // namespace plexichat::actors::channel
