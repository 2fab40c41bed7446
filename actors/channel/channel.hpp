#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

/// Channels: one registry per node, one actor per active channel (DESIGN.md "channel").
///
/// Registry messages:
/// - (create_atom, owner_id, name, topic, is_private) -> channel_view; the owner is a member
/// - (list_atom, user_id) -> std::vector<channel_view>: public ones and the user's own
/// - (lookup_atom, channel_id) -> caf::actor, the channel's actor (started on first use); in
///   a cluster, an actor on another node is remembered until it stops or the members change
/// - (lookup_atom, channel_id, refresh) -> caf::actor: with refresh, forgets the remembered
///   remote actor first (the caller found it gone)
/// - (update_atom, channel_record): a channel actor reports its renamed record
///
/// Channel actor messages (found through lookup; user ids come from verified tokens):
/// - (info_atom, user_id) -> channel_view                 not_found for a hidden channel
/// - (join_atom, user_id) -> bool                         public channels only
/// - (add_atom, by_user_id, user_id[, by_admin]) -> bool   a member of a public channel;
///   the owner or an admin of a private one (channel_rules.hpp)
/// - (kick_atom, by_user_id, user_id, by_admin) -> bool   the owner, an admin, or oneself
/// - (update_atom, by_user_id, by_admin, channel_patch) -> channel_view   the owner or an
///   admin; the registry then holds the new record
/// - (leave_atom, user_id) -> bool
/// - (post_atom, post_request) -> storage::message_record once durable (idempotent by nonce)
/// - (subscribe_atom, user_id, session) -> uint64_t last durable seq; then the session gets
///   (deliver_atom, channel_id, seq, wire::frame) for each later message, in seq order, and
///   (unsub_atom, channel_id) if its user leaves
/// - (unsub_atom, session) -> bool
/// - (history_atom, user_id, history_query) -> storage::message_page
/// A channel actor with no subscribers and nothing in flight stops after
/// `channels.idle_stop`, through the registry so that one channel never has two actors.
namespace plexichat::actors::channel {

caf::actor spawn_channel_registry(caf::actor_system& sys, node_context* ctx);

}  // namespace plexichat::actors::channel
