#include "runtime/login_throttle.hpp"

#include <algorithm>

namespace plexichat::runtime {

using std::chrono::milliseconds;

login_throttle::login_throttle(login_throttle_rules rules, steady_clock_fn clock)
    : rules_(rules), clock_(std::move(clock)), entries_(rules.capacity) {}

bool login_throttle::forgotten(const entry& e, steady_time now) const {
  if (e.pending > 0) {
    return false;
  }
  if (e.locked_until) {
    return now >= *e.locked_until;
  }
  return now - e.last_attempt >= rules_.window;
}

std::optional<milliseconds> login_throttle::wait_for(const entry& e, steady_time now) const {
  if (e.locked_until && now < *e.locked_until) {
    return std::chrono::ceil<milliseconds>(*e.locked_until - now);
  }
  const unsigned attempts = e.failures + e.pending;
  if (attempts < rules_.free_failures) {
    return std::nullopt;
  }
  const unsigned k = std::min(attempts - rules_.free_failures, 30u);
  const auto delay = std::min<milliseconds>(milliseconds{1000LL << k}, rules_.max_delay);
  const auto ready = e.last_attempt + delay;
  if (now >= ready) {
    return std::nullopt;
  }
  return std::chrono::ceil<milliseconds>(ready - now);
}

std::optional<milliseconds> login_throttle::admit(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock{mutex_};
  entries_.drop_idle([&](const entry& e) { return forgotten(e, now); });
  entry* e = entries_.find(key);
  if (e != nullptr && forgotten(*e, now)) {
    entries_.erase(key);
    e = nullptr;
  }
  if (e != nullptr) {
    if (auto wait = wait_for(*e, now)) {
      return wait;
    }
  }
  entry& admitted = e != nullptr ? *e : entries_.get_or_insert(key, entry{});
  admitted.pending += 1;
  admitted.last_attempt = now;
  return std::nullopt;
}

bool login_throttle::failed(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock{mutex_};
  entry& e = entries_.get_or_insert(key, entry{0, 1, now, std::nullopt});
  e.pending = e.pending > 0 ? e.pending - 1 : 0;
  e.failures += 1;
  if (e.failures >= rules_.lock_after && !e.locked_until) {
    e.locked_until = now + rules_.lock;
    return true;
  }
  return false;
}

void login_throttle::succeeded(const std::string& key) {
  std::lock_guard lock{mutex_};
  entries_.erase(key);
}

void login_throttle::abandoned(const std::string& key) {
  std::lock_guard lock{mutex_};
  if (entry* e = entries_.find(key); e != nullptr && e->pending > 0) {
    e->pending -= 1;
  }
}

std::size_t login_throttle::size() const {
  std::lock_guard lock{mutex_};
  return entries_.size();
}

}  // namespace plexichat::runtime
