#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/node_context.hpp"

namespace plexichat::actors::channel {

/// How long a request to a channel actor on another node may wait for its answer: a node
/// that stands still (SIGSTOP, a partition) keeps its connection open, and is marked down
/// well before this (cluster.down_after), after which lookups find the channel's next owner.
inline constexpr std::chrono::seconds remote_channel_timeout{10};

/// Sends `msg` to the actor of channel `channel_id`, found through the registry, and runs
/// `on_ok(answer)` or `on_error(api_error)` in the calling actor. A channel actor that stopped
/// between the lookup and the request (idle stop) is looked up again, once, and the registry
/// then forgets where it knew that channel's actor to be. An actor on another node that does
/// not answer within remote_channel_timeout answers unavailable.
template <class Self, class OnOk, class OnError>
void call_channel(Self* self, node_context* ctx, std::string channel_id, caf::message msg,
                  OnOk on_ok, OnError on_error, int attempts = 2) {
  self->request(ctx->channels, caf::infinite, lookup_atom::value, channel_id, attempts < 2)
      .then(
          [=](caf::actor& ch) mutable {
            auto failed = [=](caf::error& err) mutable {
              if (err == caf::sec::request_receiver_down && attempts > 1) {
                call_channel(self, ctx, channel_id, msg, on_ok, on_error, attempts - 1);
                return;
              }
              on_error(to_api_error(err));
            };
            if (ch.node() == self->node()) {
              self->request(ch, caf::infinite, msg).then(on_ok, failed);
            } else {
              self->request(ch, remote_channel_timeout, msg).then(on_ok, failed);
            }
          },
          [=](caf::error& err) mutable { on_error(to_api_error(err)); });
}

}  // namespace plexichat::actors::channel
