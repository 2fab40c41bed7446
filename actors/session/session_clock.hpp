#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

/// The session clock: one actor per node that ticks the WebSocket sessions (tick_atom), so
/// that a session holds no pending timer message of its own (each held a mailbox element and
/// entries in CAF's clock, about 0.15 KB per idle session):
/// - a session that opens sends (login_atom) and is ticked once at its auth deadline
///   (`auth_timeout` later), when it closes itself unless it has authenticated;
/// - a session that is ready sends (join_atom) and is ticked every `interval` from then on,
///   to look at its token again (revoked? expired?).
/// The clock keeps weak references (caf::actor_addr) and forgets a stopped session the next
/// time it looks. Which session is ticked when is tick_schedule (a plain class).
namespace plexichat::actors::session {

/// How often ready sessions check their token: a session whose token was revoked or has
/// expired is closed within this time even if its client sends nothing (docs/API.md).
inline constexpr std::chrono::seconds token_check_interval{2};

caf::actor spawn_session_clock(caf::actor_system& sys, node_context* ctx,
                               std::chrono::milliseconds auth_timeout,
                               std::chrono::milliseconds interval = token_check_interval);

}  // namespace plexichat::actors::session
