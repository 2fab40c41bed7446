#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// What the kernel says about this process (Linux /proc).
namespace plexichat::runtime {

/// The resident set size in KiB from the text of a /proc/<pid>/status file (its `VmRSS:`
/// line); nothing if the line is missing or malformed.
std::optional<uint64_t> rss_kib_from_status(std::string_view status_text);

/// This process's resident set size in KiB, read from /proc/self/status (blocking read of a
/// small kernel file); nothing where that file does not exist.
std::optional<uint64_t> own_rss_kib();

}  // namespace plexichat::runtime
