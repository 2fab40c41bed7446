#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

/// Who is in the cluster, as one node sees it: the members, each up, suspect or down, spread
/// by gossip and judged by a failure detector, as in Akka Cluster and SWIM. Plain logic with
/// the time passed in: the cluster actor owns one and feeds it heartbeats and ticks.
///
/// - Gossip carries each member's status, up or down, and its incarnation, which only the
///   member itself raises (a node starts with its start time in milliseconds, so a restart
///   is a new incarnation). Gossip with a higher incarnation wins; with the same one, down
///   wins over up.
/// - Reachability is each node's own judgement (the failure detector): a member is shown
///   `suspect` once nothing was heard from it for `suspect_after`, and hearing from it again
///   makes it up. After `down_after` of silence it is marked down, which is gossiped.
/// - Keep-majority: only a node that reaches a strict majority of the members that are not
///   down may mark a member down, and only such a node may take writes. So of two sides of a
///   partition at most one goes on.
/// - A node told that it is down at its own incarnation stays down for it: it rejoins under
///   a new incarnation and must first give up what it owned (`rejoined()` says so once).
/// - A node that itself stood still (SIGSTOP, a stalled host: its ticks stopped for longer
///   than `stood_still_after`) heard nothing meanwhile, which says nothing of its peers but
///   much of itself: the others may have marked it down and gone on without it. So it shows
///   every peer suspect (no majority, no writes) until it hears from them again, and restarts
///   their silence from that tick, so that it marks no one down for its own pause.
/// - Majority lease: each heartbeat carries the sender's own steady-clock send time
///   (`lease_stamp`); a peer that considers the sender up at that incarnation echoes it back at
///   once. A peer that echoed our time T heard from us at or after T, so it does not suspect
///   us before T + suspect_after by its clock, and a node marked down needs a majority that
///   stopped hearing from it. This node holds the lease while a strict majority of the members
///   not down (itself included) echoed a time less than `lease` (< suspect_after) ago. Unlike
///   "heard from lately", this cannot be faked by heartbeats that waited in a frozen node's
///   sockets: what they echo was sent before the freeze.
namespace plexichat::actors::cluster {

enum class member_state : uint8_t { up = 0, suspect = 1, down = 2 };

std::string to_string(member_state s);

/// One member as gossiped between nodes (state up or down), or as shown (also suspect).
struct member_info {
  std::string name;             ///< the node's name, unique in the cluster
  std::string cluster_address;  ///< host:port of its cluster listener
  std::string client_address;   ///< host:port of its client listener
  uint64_t incarnation = 0;
  member_state state = member_state::up;
  /// Set by the member itself (`drain`, before maintenance): it stays a member but placement
  /// gives its entities to the others. Spread with a raised incarnation; a restart clears it.
  bool draining = false;

  bool operator==(const member_info&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_info& m) {
  return f(caf::meta::type_name("member_info"), m.name, m.cluster_address, m.client_address,
           m.incarnation, m.state, m.draining);
}

/// A heartbeat sender's own send time, and the incarnation it sent it under: what a peer
/// echoes back for the sender's majority lease.
struct lease_stamp {
  int64_t sent_at = 0;       ///< the sender's steady clock, in nanoseconds since its epoch
  uint64_t incarnation = 0;  ///< 0: no stamp

  bool operator==(const lease_stamp&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease_stamp& s) {
  return f(caf::meta::type_name("lease_stamp"), s.sent_at, s.incarnation);
}

/// The failure detector's timings.
struct detector_timing {
  std::chrono::milliseconds suspect_after{2000};
  std::chrono::milliseconds down_after{6000};
  /// A gap between two ticks longer than this means this node stood still; 0: never judged.
  std::chrono::milliseconds stood_still_after{0};
  /// How long an echoed send time keeps the majority lease; must be below suspect_after.
  std::chrono::milliseconds lease{1500};
};

/// A member's state changed: what the node logs and acts on.
struct member_change {
  std::string name;
  member_state from;
  member_state to;
  bool joined = false;            ///< first seen (from is meaningless then)
  bool draining_changed = false;  ///< the member started or stopped draining
};

/// The member list as a node keeps it across restarts (JSON); decode skips what it cannot read.
std::string encode_members(const std::vector<member_info>& members);
std::vector<member_info> decode_members(std::string_view text);

class membership {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  membership(member_info self, detector_timing timing, time_point now);

  /// Members this node knew before it restarted: they count towards the majority, unreachable
  /// until heard from, so that a restarted node alone never believes it is the cluster.
  void remember(const std::vector<member_info>& known, time_point now);

  /// A heartbeat (or any message) came from `name` at `now`.
  std::vector<member_change> heard_from(const std::string& name, time_point now);

  /// Folds a gossiped view into this one; `now` counts as having heard of new members.
  std::vector<member_change> merge(const std::vector<member_info>& view, time_point now);

  /// Runs the failure detector: silent members become suspect, then down (with a majority).
  /// After a gap since the last tick longer than `stood_still_after`, every peer not down
  /// becomes suspect instead, and none is marked down in that tick.
  std::vector<member_change> tick(time_point now);

  /// Every member, this node included, in name order, with suspect where this node's
  /// failure detector says so.
  std::vector<member_info> view() const;
  /// What this node gossips: every member with its status (up or down) and incarnation.
  std::vector<member_info> gossip() const;
  /// The members that are up, this node included, in name order: who may own entities.
  std::vector<std::string> up_members() const;
  /// Starts (or stops) draining this node: raises its incarnation so that gossip carries it.
  /// Returns false when it was already so.
  bool set_draining(bool on);
  /// True when this node reaches a strict majority of the members that are not down.
  bool has_majority() const;
  const member_info& self() const { return self_; }
  std::optional<member_state> state_of(const std::string& name) const;

  /// True once after this node learnt that it had been marked down and rejoined under a new
  /// incarnation: whatever it owned before must be given up and caught up again.
  bool rejoined();

  /// The stamp this node's heartbeat sent at `now` carries.
  lease_stamp stamp(time_point now) const;
  /// What to echo to `name` for the stamp its heartbeat carried (call after merging that
  /// heartbeat): the stamp, if this node shows `name` up at the stamp's incarnation; nothing
  /// if it shows it suspect or down, or knows it under another incarnation.
  std::optional<lease_stamp> echo_for(const std::string& name, const lease_stamp& theirs) const;
  /// `name` echoed `mine`, a stamp of this node's; kept if it is the latest of this node's
  /// incarnation.
  void echoed(const std::string& name, const lease_stamp& mine);
  /// Until when this node holds the majority lease: the latest time such that a strict
  /// majority of the members not down (this node included) echoed a stamp less than
  /// `timing.lease` before it. time_point::max() when this node alone is a majority;
  /// time_point::min() when too few echoed at all.
  time_point lease_until() const;
  /// True when this node holds the majority lease at `now`.
  bool holds_lease(time_point now) const { return now < lease_until(); }

 private:
  struct peer {
    member_info info;  ///< state is the gossiped status: up or down
    time_point last_heard;
    bool reachable = true;
    lease_stamp echo;  ///< the latest stamp of this node's that the peer echoed
  };

  static member_state shown(const peer& p);
  std::size_t reachable_count() const;
  void learn_about_self(const member_info& gossip);
  bool stood_still(time_point now) const;
  std::vector<member_change> after_standing_still(time_point now);

  member_info self_;
  detector_timing timing_;
  std::map<std::string, peer> peers_;  ///< every other member ever seen
  std::optional<time_point> last_tick_;
  bool rejoined_ = false;
};

}  // namespace plexichat::actors::cluster
