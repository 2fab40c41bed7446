#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Small, durable file helpers for start-up and operator commands (blocking I/O: never call
/// them on an actor scheduler thread).
namespace plexichat::runtime {

/// Creates `path` with exactly `mode` (whatever the umask), refusing to replace an existing
/// file, writes `bytes`, fsyncs the file and its directory; a half-written file is removed.
/// Returns an empty string on success, else a message naming the path and the reason.
std::string write_new_file(const std::string& path, std::string_view bytes, unsigned mode);

/// The whole content of `path`, or nullopt with `error` set to a message naming the path.
std::optional<std::string> read_whole_file(const std::string& path, std::string& error);

}  // namespace plexichat::runtime
