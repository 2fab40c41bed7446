#pragma once

#include <stdexcept>
#include <string>

namespace plexichat::config {

/// The one error type of config/: a bad key, flag or value, or an unreadable file.
/// what() reads "config: [SOURCE: ]KEY: REASON", e.g.
/// "config: limits.max_body_bytes: must be between 1024 and 67108864, got 12".
/// KEY is a dotted YAML path ("limits.max_body_bytes", "seeds[1]") or a flag ("--listen");
/// it is empty for errors that concern no single key (YAML syntax, unreadable file).
/// SOURCE, when set, names the file the value came from.
class config_error : public std::runtime_error {
 public:
  config_error(std::string key, std::string reason, std::string source = {});

  /// The dotted key or flag at fault; empty when no single key is.
  const std::string& key() const noexcept { return key_; }
  /// Why the value is wrong, without the key.
  const std::string& reason() const noexcept { return reason_; }
  /// The file the value came from, or empty.
  const std::string& source() const noexcept { return source_; }

 private:
  std::string key_;
  std::string reason_;
  std::string source_;
};

}  // namespace plexichat::config
