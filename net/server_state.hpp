#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <caf/actor_system.hpp>

#include "actors/node_context.hpp"

namespace plexichat::net {

class ws_link;

/// What the listener and its connections share. Lives as long as the longest connection.
struct server_state {
  server_state(caf::actor_system& s, actors::node_context& c, const std::atomic<bool>& r)
      : sys(s), ctx(c), ready(r) {}

  caf::actor_system& sys;
  actors::node_context& ctx;
  const std::atomic<bool>& ready;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};

  /// Open WebSockets, so that a stop can close each with 1001 and the idle sweep can look
  /// at each. Keyed by the connection itself, which holds no id for it.
  void add_ws(const std::shared_ptr<ws_link>& ws);
  void remove_ws(const ws_link* ws);
  std::vector<std::shared_ptr<ws_link>> open_ws();
  std::size_t open_ws_count();

  /// The REST session actors of open HTTP connections, so that a stop can end them: an idle
  /// keep-alive connection outlives the stopped listener, and its actor would keep the
  /// node's actors from finishing.
  uint64_t add_api(caf::actor api);
  void remove_api(uint64_t id);
  std::vector<caf::actor> open_apis();

 private:
  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::unordered_map<const ws_link*, std::weak_ptr<ws_link>> ws_;
  std::unordered_map<uint64_t, caf::actor> apis_;
};

}  // namespace plexichat::net
