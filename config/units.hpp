#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace plexichat::config {

/// Parses a duration: decimal digits followed by one unit of ms, s, m, h or d ("250ms",
/// "10s", "5m", "24h", "7d"); bare digits mean seconds. No sign, spaces, fractions or
/// mixed units. Throws config_error with key `what` on bad syntax, an unknown unit, or a
/// value beyond what std::chrono::milliseconds holds.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

/// Parses a size in bytes: decimal digits, optionally followed by B, KiB, MiB or GiB
/// ("65536", "64KiB", "1MiB"). Units are binary and case-sensitive; "KB" and "k" are
/// rejected rather than guessed. Throws config_error with key `what` on bad syntax, an
/// unknown unit, or a value beyond std::size_t.
std::size_t parse_size(std::string_view text, std::string_view what);

/// Writes a duration with the largest unit that represents it exactly ("250ms", "5m",
/// "7d"); parse_duration reads it back.
std::string format_duration(std::chrono::milliseconds value);

/// Writes a size with the largest binary unit that represents it exactly ("64KiB", "1000");
/// parse_size reads it back.
std::string format_size(std::size_t value);

}  // namespace plexichat::config
