#pragma once

// Secret key files of the data directory (token_signing.key, audit.key): raw bytes of a
// fixed size in a file only its owner may read. Used by runtime/crypto.cpp; blocking file
// I/O, for start-up and offline tools only. Thread-safe (no shared state).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace plexichat::runtime {

/// The bytes of a key file, or a message for a person naming the file (never key bytes).
/// `missing` is set when the file does not exist (error is set too).
struct key_file_result {
  std::optional<std::string> bytes;
  std::string error;
  bool missing = false;
};

/// Reads the key file at `path`: it must be a regular file of exactly `size` bytes with no
/// group/other permission (the message then says to run `chmod 600 <path>`). `label` names
/// the kind of key in messages: "<label> file '<path>' ...".
key_file_result read_key_file(const std::string& path, std::size_t size, std::string_view label);

/// Creates `path` with O_CREAT|O_EXCL and mode exactly 0600, writes `bytes`, fsyncs the
/// file and its directory; a half-written file is removed. nullopt when the file already
/// exists (another creator won the race: read it instead).
std::optional<key_file_result> create_key_file(const std::string& path, std::string_view bytes,
                                               std::string_view label);

}  // namespace plexichat::runtime
