#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace plexichat::net {

/// The result of parsing client JSON: the value, or why it was refused.
struct json_parse_result {
  std::optional<nlohmann::json> value;
  std::string error;  ///< for a person, when value is empty
};

/// Parses client JSON with nlohmann-json, refusing nesting deeper than `max_depth` (so that a
/// hostile document cannot exhaust the stack or memory) and invalid UTF-8. Never throws.
json_parse_result parse_json(std::string_view text, unsigned max_depth);

}  // namespace plexichat::net
