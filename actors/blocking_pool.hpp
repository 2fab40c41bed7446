#pragma once

#include <cstddef>
#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/message.hpp>

namespace plexichat::actors {

/// Work that may block (a RocksDB read, an Argon2id hash): runs on a detached worker thread
/// and returns the response message.
using blocking_job = std::function<caf::message()>;

/// Spawns a pool of `workers` detached actors that run blocking jobs round-robin, so that
/// actors on the scheduler never block: they `request(pool, infinite, run_atom_v, job)` and go
/// on with other messages until the job's answer arrives. Stop it with an exit message.
caf::actor spawn_blocking_pool(caf::actor_system& sys, std::size_t workers);

}  // namespace plexichat::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::blocking_job)
