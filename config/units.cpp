#include "config/units.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "config/config_error.hpp"

namespace plexichat::config {
namespace {

struct unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Largest unit first, so the formatters pick the coarsest exact one.
constexpr std::array<unit, 5> duration_units{
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};
constexpr std::array<unit, 4> size_units{
    {{"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}, {"B", 1}}};

struct number_and_suffix {
  std::uint64_t number = 0;
  bool overflow = false;
  std::string_view suffix;
};

/// Splits leading decimal digits from the rest; nullopt when there are no digits.
std::optional<number_and_suffix> split_number(std::string_view text) {
  number_and_suffix out;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (text.empty() || text.front() < '0' || text.front() > '9') {
    return std::nullopt;
  }
  const auto [stop, ec] = std::from_chars(begin, end, out.number);
  if (ec == std::errc::result_out_of_range) {
    out.overflow = true;
  }
  const char* rest = stop;
  while (rest != end && *rest >= '0' && *rest <= '9') {
    ++rest;
  }
  out.suffix = text.substr(static_cast<std::size_t>(rest - begin));
  return out;
}

template <std::size_t N>
std::optional<std::uint64_t> factor_of(const std::array<unit, N>& units, std::string_view suffix) {
  for (const auto& u : units) {
    if (u.suffix == suffix) {
      return u.factor;
    }
  }
  return std::nullopt;
}

/// Multiplies number by the factor of its suffix; throws with the given usage text.
std::uint64_t scaled(std::string_view text, std::string_view what, std::uint64_t fallback,
                     std::optional<std::uint64_t> (*lookup)(std::string_view), std::uint64_t max,
                     const std::string& usage) {
  const auto parts = split_number(text);
  const auto factor =
      parts ? (parts->suffix.empty() ? fallback : lookup(parts->suffix)) : std::nullopt;
  if (!factor) {
    throw config_error(std::string(what), usage + ", got '" + std::string(text) + "'");
  }
  if (parts->overflow || parts->number > max / *factor) {
    throw config_error(std::string(what), "value too large, got '" + std::string(text) + "'");
  }
  return parts->number * *factor;
}

std::optional<std::uint64_t> duration_factor(std::string_view suffix) {
  return factor_of(duration_units, suffix);
}

std::optional<std::uint64_t> size_factor(std::string_view suffix) {
  return factor_of(size_units, suffix);
}

template <std::size_t N>
std::string format_with(const std::array<unit, N>& units, std::uint64_t value, bool bare_smallest) {
  for (const auto& u : units) {
    const bool smallest = &u == &units.back();
    if (smallest || (value != 0 && value % u.factor == 0)) {
      const std::string number = std::to_string(value / u.factor);
      return smallest && bare_smallest ? number : number + std::string(u.suffix);
    }
  }
  return std::to_string(value);
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what) {
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const auto ms = scaled(text, what, 1'000, duration_factor, max,
                         "must be a duration like 250ms, 10s, 5m, 24h or 7d "
                         "(bare digits mean seconds)");
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::size_t parse_size(std::string_view text, std::string_view what) {
  const auto bytes = scaled(text, what, 1, size_factor, std::numeric_limits<std::size_t>::max(),
                            "must be a size in bytes, optionally with B, KiB, MiB or GiB");
  return static_cast<std::size_t>(bytes);
}

std::string format_duration(std::chrono::milliseconds value) {
  if (value.count() < 0) {
    return std::to_string(value.count()) + "ms";
  }
  return format_with(duration_units, static_cast<std::uint64_t>(value.count()), false);
}

std::string format_size(std::size_t value) {
  return format_with(size_units, value, true);
}

}  // namespace plexichat::config
