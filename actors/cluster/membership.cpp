#include "actors/cluster/membership.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include <nlohmann/json.hpp>

namespace plexichat::actors::cluster {

std::string to_string(member_state s) {
  switch (s) {
    case member_state::up:
      return "up";
    case member_state::suspect:
      return "suspect";
    case member_state::down:
      return "down";
  }
  return "unknown";
}

std::string encode_members(const std::vector<member_info>& members) {
  auto out = nlohmann::json::array();
  for (const auto& m : members) {
    out.push_back({{"name", m.name},
                   {"cluster_address", m.cluster_address},
                   {"client_address", m.client_address},
                   {"incarnation", m.incarnation},
                   {"state", to_string(m.state)}});
  }
  return out.dump();
}

std::vector<member_info> decode_members(std::string_view text) {
  std::vector<member_info> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) {
    return out;
  }
  for (const auto& m : j) {
    if (!m.is_object() || !m.contains("name") || !m["name"].is_string()) {
      continue;
    }
    member_info info;
    info.name = m["name"].get<std::string>();
    info.cluster_address = m.value("cluster_address", std::string{});
    info.client_address = m.value("client_address", std::string{});
    info.incarnation = m.value("incarnation", uint64_t{0});
    info.state = m.value("state", std::string{}) == "down" ? member_state::down : member_state::up;
    out.push_back(std::move(info));
  }
  return out;
}

membership::membership(member_info self, detector_timing timing, time_point)
    : self_(std::move(self)), timing_(timing) {
  self_.state = member_state::up;
}

member_state membership::shown(const peer& p) {
  if (p.info.state == member_state::down) {
    return member_state::down;
  }
  return p.reachable ? member_state::up : member_state::suspect;
}

std::size_t membership::reachable_count() const {
  std::size_t n = 1;  // this node
  for (const auto& [name, p] : peers_) {
    n += shown(p) == member_state::up ? 1 : 0;
  }
  return n;
}

bool membership::has_majority() const {
  std::size_t members = 1;
  for (const auto& [name, p] : peers_) {
    members += p.info.state == member_state::down ? 0 : 1;
  }
  return 2 * reachable_count() > members;
}

void membership::remember(const std::vector<member_info>& known, time_point now) {
  for (const auto& m : known) {
    if (m.name.empty() || m.name == self_.name || m.state == member_state::down ||
        peers_.count(m.name) > 0) {
      continue;
    }
    member_info info = m;
    info.state = member_state::up;
    peers_.emplace(m.name, peer{info, now, false, {}});
  }
}

std::vector<member_change> membership::heard_from(const std::string& name, time_point now) {
  auto it = peers_.find(name);
  if (it == peers_.end()) {
    return {};
  }
  auto& p = it->second;
  auto before = shown(p);
  p.last_heard = now;
  p.reachable = true;
  auto after = shown(p);
  if (before == after) {
    return {};
  }
  return {{name, before, after}};
}

void membership::learn_about_self(const member_info& gossip) {
  if (gossip.incarnation > self_.incarnation) {
    // Only this node raises its incarnation; a higher one is from before a clock step back.
    self_.incarnation = gossip.incarnation + 1;
    rejoined_ = true;
  } else if (gossip.incarnation == self_.incarnation && gossip.state == member_state::down) {
    self_.incarnation += 1;
    rejoined_ = true;
  }
}

std::vector<member_change> membership::merge(const std::vector<member_info>& view, time_point now) {
  std::vector<member_change> changes;
  for (const auto& m : view) {
    if (m.name.empty()) {
      continue;
    }
    if (m.name == self_.name) {
      learn_about_self(m);
      continue;
    }
    auto status = m.state == member_state::down ? member_state::down : member_state::up;
    auto it = peers_.find(m.name);
    if (it == peers_.end()) {
      member_info info = m;
      info.state = status;
      peers_.emplace(m.name, peer{info, now, true, {}});
      changes.push_back({m.name, status, status, true});
      continue;
    }
    auto& p = it->second;
    bool newer = m.incarnation > p.info.incarnation;
    bool worse = m.incarnation == p.info.incarnation && status == member_state::down &&
                 p.info.state != member_state::down;
    if (!newer && !worse) {
      continue;
    }
    auto before = shown(p);
    bool drain_changed = newer && p.info.draining != m.draining;
    p.info.incarnation = m.incarnation;
    p.info.state = status;
    p.info.draining = m.draining;
    p.info.cluster_address = m.cluster_address;
    p.info.client_address = m.client_address;
    if (newer) {
      // A new incarnation is a fresh start: give it a full detector period; what its
      // previous life echoed says nothing of what the new one heard.
      p.last_heard = now;
      p.reachable = true;
      p.echo = {};
    }
    auto after = shown(p);
    if (before != after || drain_changed) {
      changes.push_back({m.name, before, after, false, drain_changed});
    }
  }
  return changes;
}

bool membership::set_draining(bool on) {
  if (self_.draining == on) {
    return false;
  }
  self_.draining = on;
  self_.incarnation += 1;
  return true;
}

bool membership::stood_still(time_point now) const {
  return timing_.stood_still_after.count() > 0 && last_tick_ &&
         now - *last_tick_ > timing_.stood_still_after;
}

std::vector<member_change> membership::after_standing_still(time_point now) {
  std::vector<member_change> changes;
  for (auto& [name, p] : peers_) {
    if (p.info.state == member_state::down) {
      continue;
    }
    auto before = shown(p);
    p.reachable = false;
    p.last_heard = now;
    if (before != shown(p)) {
      changes.push_back({name, before, shown(p)});
    }
  }
  return changes;
}

std::vector<member_change> membership::tick(time_point now) {
  bool paused = stood_still(now);
  last_tick_ = now;
  if (paused) {
    return after_standing_still(now);
  }
  std::vector<member_change> changes;
  for (auto& [name, p] : peers_) {
    if (p.info.state == member_state::down) {
      continue;
    }
    auto silence = now - p.last_heard;
    auto before = shown(p);
    if (silence >= timing_.suspect_after) {
      p.reachable = false;
    }
    if (before != shown(p)) {
      changes.push_back({name, before, shown(p)});
    }
  }
  // Down needs a majority, judged after the suspicions above.
  if (!has_majority()) {
    return changes;
  }
  for (auto& [name, p] : peers_) {
    if (p.info.state != member_state::down && now - p.last_heard >= timing_.down_after) {
      auto before = shown(p);
      p.info.state = member_state::down;
      changes.push_back({name, before, member_state::down});
    }
  }
  return changes;
}

std::vector<member_info> membership::view() const {
  std::vector<member_info> out;
  out.push_back(self_);
  for (const auto& [name, p] : peers_) {
    member_info m = p.info;
    m.state = shown(p);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const member_info& a, const member_info& b) { return a.name < b.name; });
  return out;
}

std::vector<member_info> membership::gossip() const {
  std::vector<member_info> out;
  out.push_back(self_);
  for (const auto& [name, p] : peers_) {
    out.push_back(p.info);
  }
  return out;
}

std::vector<std::string> membership::up_members() const {
  std::vector<std::string> out;
  for (const auto& m : view()) {
    if (m.state == member_state::up) {
      out.push_back(m.name);
    }
  }
  return out;
}

std::optional<member_state> membership::state_of(const std::string& name) const {
  if (name == self_.name) {
    return self_.state;
  }
  auto it = peers_.find(name);
  if (it == peers_.end()) {
    return std::nullopt;
  }
  return shown(it->second);
}

bool membership::rejoined() {
  return std::exchange(rejoined_, false);
}

namespace {

int64_t nanos(membership::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

membership::time_point from_nanos(int64_t ns) {
  return membership::time_point{
      std::chrono::duration_cast<membership::time_point::duration>(std::chrono::nanoseconds{ns})};
}

}  // namespace

lease_stamp membership::stamp(time_point now) const {
  return {nanos(now), self_.incarnation};
}

std::optional<lease_stamp> membership::echo_for(const std::string& name,
                                                const lease_stamp& theirs) const {
  auto it = peers_.find(name);
  if (it == peers_.end() || theirs.incarnation == 0 ||
      it->second.info.incarnation != theirs.incarnation || shown(it->second) != member_state::up) {
    return std::nullopt;
  }
  return theirs;
}

void membership::echoed(const std::string& name, const lease_stamp& mine) {
  auto it = peers_.find(name);
  if (it == peers_.end() || mine.incarnation != self_.incarnation) {
    return;
  }
  auto& echo = it->second.echo;
  if (echo.incarnation != mine.incarnation || mine.sent_at > echo.sent_at) {
    echo = mine;
  }
}

membership::time_point membership::lease_until() const {
  std::size_t members = 1;  // this node, whose own word is always fresh
  std::vector<int64_t> fresh;
  for (const auto& [name, p] : peers_) {
    if (p.info.state == member_state::down) {
      continue;
    }
    ++members;
    if (p.echo.incarnation != 0 && p.echo.incarnation == self_.incarnation) {
      fresh.push_back(p.echo.sent_at);
    }
  }
  // A strict majority is members / 2 + 1 of them, this node one.
  std::size_t needed = members / 2;
  if (needed == 0) {
    return time_point::max();
  }
  if (fresh.size() < needed) {
    return time_point::min();
  }
  // The needed-th latest echo: the majority holds until it is `lease` old.
  std::nth_element(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(needed - 1),
                   fresh.end(), std::greater<>{});
  return from_nanos(fresh[needed - 1]) + timing_.lease;
}

}  // namespace plexichat::actors::cluster
