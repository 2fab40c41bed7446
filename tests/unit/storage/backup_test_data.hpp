#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace plexichat::storage::testing {

/// `n` pseudo-random bytes, the same for the same seed.
inline std::string random_data(std::size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    uint64_t v = gen();
    for (std::size_t b = 0; b < 8 && i + b < n; ++b) {
      out[i + b] = static_cast<char>(v >> (8 * b));
    }
  }
  return out;
}

}  // namespace plexichat::storage::testing
