#pragma once

// Small validation helpers for text that clients send (names, topics, message content).
// Pure functions, safe on any thread.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::runtime {

/// True when `s` is well-formed UTF-8 (Unicode table 3-7): no overlong forms, no
/// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
bool is_valid_utf8(std::string_view s);

/// Number of Unicode code points in `s`, which must be valid UTF-8 (check with
/// is_valid_utf8 first; for invalid input the count is of non-continuation bytes).
std::size_t count_code_points(std::string_view s);

/// Smallest and largest username length, in characters.
inline constexpr std::size_t min_username_length = 3;
inline constexpr std::size_t max_username_length = 32;

/// The canonical (lowercase) form of a username: ASCII letters lowercased, then 3-32
/// characters of [a-z0-9_.-]. nullopt for anything else (including non-ASCII).
std::optional<std::string> normalize_username(std::string_view s);

/// True when `s` has any C0 control character (U+0000..U+001F) other than '\n' and '\t'.
/// DEL and C1 controls are not C0 and are not reported.
bool has_control_chars(std::string_view s);

}  // namespace plexichat::runtime
