#pragma once

#include <chrono>
#include <memory>

#include "runtime/token_bucket.hpp"

namespace plexichat::runtime::test_support {

/// A steady clock that moves only when the test says so.
struct manual_clock {
  std::shared_ptr<steady_time> now = std::make_shared<steady_time>(std::chrono::hours{1});

  steady_clock_fn fn() const {
    return [t = now] { return *t; };
  }
  void advance(std::chrono::milliseconds d) const { *now += d; }
};

}  // namespace plexichat::runtime::test_support
