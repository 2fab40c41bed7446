#pragma once

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/node_context.hpp"
#include "storage/records.hpp"

namespace plexichat::actors::channel {

/// Spawns the actor of one channel; only the registry calls this (see channel.hpp).
caf::actor spawn_channel_actor(caf::event_based_actor* registry, node_context* ctx,
                               storage::channel_record record);

}  // namespace plexichat::actors::channel
