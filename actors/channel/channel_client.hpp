#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/message_types.hpp"
#include "actors/node_context.hpp"

namespace plexichat::actors::channel {

/// How long a request to a channel actor on another node may wait for its answer: a node
/// that stands still (SIGSTOP, a partition) keeps its connection open, and is marked down
/// well before this (cluster.down_after), after which lookups find the channel's next owner.
inline constexpr std::chrono::seconds remote_channel_timeout{10};

namespace detail {

/// Finds channel `channel_id`'s actor through the registry and runs `send(actor)`, a request,
/// whose answer goes to `on_ok(answer)` or, as an api_error, to `on_error`. A channel actor that
/// stopped between the lookup and the request (idle stop) is looked up again, once, and the
/// registry then forgets where it knew that channel's actor to be.
template <class Self, class Send, class OnOk, class OnError>
void with_channel(Self* self, node_context* ctx, std::string channel_id, Send send, OnOk on_ok,
                  OnError on_error, int attempts = 2) {
  self->request(ctx->channels, caf::infinite, lookup_atom::value, channel_id, attempts < 2)
      .then(
          [=](caf::actor& ch) mutable {
            auto failed = [=](caf::error& err) mutable {
              if (err == caf::sec::request_receiver_down && attempts > 1) {
                with_channel(self, ctx, channel_id, send, on_ok, on_error, attempts - 1);
                return;
              }
              on_error(to_api_error(err));
            };
            send(ch).then(on_ok, failed);
          },
          [=](caf::error& err) mutable { on_error(to_api_error(err)); });
}

/// How long a request to channel actor `ch` may wait: without limit on this node.
template <class Self>
caf::duration channel_timeout(Self* self, const caf::actor& ch) {
  return ch.node() == self->node() ? caf::duration{caf::infinite}
                                   : caf::duration{remote_channel_timeout};
}

}  // namespace detail

/// Sends `msg` to the actor of channel `channel_id`, found through the registry, and runs
/// `on_ok(answer)` or `on_error(api_error)` in the calling actor. A stopped channel actor is
/// looked up again once (detail::with_channel). An actor on another node that does not
/// answer within remote_channel_timeout answers unavailable.
template <class Self, class OnOk, class OnError>
void call_channel(Self* self, node_context* ctx, std::string channel_id, caf::message msg,
                  OnOk on_ok, OnError on_error) {
  detail::with_channel(
      self, ctx, std::move(channel_id),
      [self, msg](const caf::actor& ch) {
        return self->request(ch, detail::channel_timeout(self, ch), msg);
      },
      std::move(on_ok), std::move(on_error));
}

/// Posts `req` to channel `channel_id`, as call_channel with (post_atom, req) would: answers a
/// storage::message_record. A post for a channel actor on another node goes through this
/// node's post relay (post_relay.hpp), which batches the posts for each node.
template <class Self, class OnOk, class OnError>
void post_to_channel(Self* self, node_context* ctx, std::string channel_id, post_request req,
                     OnOk on_ok, OnError on_error) {
  detail::with_channel(
      self, ctx, std::move(channel_id),
      [self, ctx, req](const caf::actor& ch) {
        if (!ch || ch.node() == self->node() || !ctx->posts) {
          return self->request(ch, detail::channel_timeout(self, ch), post_atom::value, req);
        }
        // No timeout here: the relay answers within remote_channel_timeout, and a timeout per
        // post costs the actor clock a timer each.
        return self->request(ctx->posts, caf::infinite, post_atom::value, ch, req);
      },
      std::move(on_ok), std::move(on_error));
}

}  // namespace plexichat::actors::channel
