#pragma once

#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include "actors/message_types.hpp"
#include "actors/node_context.hpp"
#include "storage/records.hpp"

/// The node's post relay (cluster only): posts to channel actors on other nodes, and channel
/// owners' appends to replicas on other nodes, travel through it, batched per node (DESIGN.md
/// "The cluster"). Without it every post and every append was one request and one answer
/// between two nodes, each serialized and sent through TLS on its own; under load the nodes
/// spent most of their time on that. Peers reach it as the service "posts". Per node the
/// batching is batch_lanes'.
///
/// Messages:
/// - (post_atom, channel actor, post_request) -> storage::message_record: from a session on
///   this node, for a channel actor on another; queued for that node, sent with others. A
///   batch unanswered within remote_channel_timeout fails, and so do the posts queued behind it
/// - (post_atom, std::vector<relayed_post>) -> std::vector<post_outcome>: a batch from a
///   peer's relay; each post goes to its channel actor here, the answers go back together
/// - (append_atom, replica actor, channel_id, epoch_claim, prev_seq, replica_write) ->
///   append_reply: from a channel owner here, for a replica on another node; queued for that
///   replica and sent with others as (append_atom, std::vector<replica_append>), which the
///   replica takes in one write. A batch unanswered within replica_append_timeout fails, and
///   so do the appends queued behind it
/// - (deliver_atom, channel_id, seq, frame text, std::vector<caf::actor> sessions): a message
///   for several sessions on this node, from a channel on another; the text crosses the
///   network once, and the sessions share one frame
namespace plexichat::actors::channel {

/// A post for a channel actor on the node that receives the batch.
struct relayed_post {
  caf::actor channel;
  post_request request;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, relayed_post& x) {
  return f(caf::meta::type_name("relayed_post"), x.channel, x.request);
}

/// A relayed post's answer: the stored message, or the error the channel answered.
struct post_outcome {
  storage::message_record message;
  caf::error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, post_outcome& x) {
  return f(caf::meta::type_name("post_outcome"), x.message, x.error);
}

caf::actor spawn_post_relay(caf::actor_system& sys, node_context* ctx);

/// The post relay of the node `node`, once connected; null before, or without a cluster.
caf::actor relay_on(const node_context* ctx, const caf::node_id& node);

/// Registers the relay's batch types; add_channel_types calls it.
void add_post_relay_types(caf::actor_system_config& cfg);

}  // namespace plexichat::actors::channel
