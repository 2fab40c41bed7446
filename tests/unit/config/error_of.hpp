#pragma once

#include <gtest/gtest.h>

#include "config/config_error.hpp"

namespace plexichat::config::test_support {

/// Runs `fn`, which must throw a config_error, and returns that error (a test failure and an
/// empty error if it does not throw).
template <typename Fn>
config_error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const config_error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a config_error";
  return config_error("", "");
}

}  // namespace plexichat::config::test_support
