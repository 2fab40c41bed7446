#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Small, durable file helpers for start-up and operator commands (blocking I/O: never call
/// them on an actor scheduler thread).
namespace plexichat::runtime {

/// What create_new_file did: `exists` when `path` was already there (nothing was written);
/// otherwise `error` is empty on success, or the reason it failed (without the path).
struct new_file_status {
  bool exists = false;
  std::string error;
};

/// Creates `path` (O_EXCL) with exactly `mode` (whatever the umask), writes `bytes`, fsyncs
/// the file and its directory; a half-written file is removed.
new_file_status create_new_file(const std::string& path, std::string_view bytes, unsigned mode);

/// create_new_file for a person: an empty string on success, else a message naming the path
/// and the reason (an existing file is refused, never replaced).
std::string write_new_file(const std::string& path, std::string_view bytes, unsigned mode);

/// Replaces `path` atomically with `bytes` at exactly `mode`: written to `path` + ".new",
/// fsynced, renamed over `path`, the directory fsynced. After a crash `path` holds the old or
/// the new bytes, never a mix. An empty string on success, else a message naming the path.
std::string replace_file(const std::string& path, std::string_view bytes, unsigned mode);

/// The whole content of `path`, or nullopt with `error` set to a message naming the path.
std::optional<std::string> read_whole_file(const std::string& path, std::string& error);

}  // namespace plexichat::runtime
