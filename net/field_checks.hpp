#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/api_error.hpp"

/// Typed reads of request fields with the protocol's rules; each failure is an
/// invalid_request error naming the field.
namespace plexichat::net::fields {

using actors::api_error;

/// Ids are opaque to clients but always [A-Za-z0-9_-]{1,64} on this node.
bool is_valid_id(std::string_view id);

/// A required string field; error if missing or not a string.
std::optional<api_error> get_string(const nlohmann::json& obj, const char* key, std::string& out);
/// An optional string field; error only if present and not a string.
std::optional<api_error> get_optional_string(const nlohmann::json& obj, const char* key,
                                             std::string& out);
/// An optional non-negative integer field.
std::optional<api_error> get_optional_seq(const nlohmann::json& obj, const char* key,
                                          std::optional<uint64_t>& out);

/// Text of 1..max_chars Unicode characters with no control characters (names).
std::optional<api_error> check_text(std::string_view field, std::string_view value,
                                    std::size_t min_chars, std::size_t max_chars,
                                    bool allow_newlines);

/// A client nonce: 1..128 bytes of printable ASCII.
std::optional<api_error> check_nonce(std::string_view nonce);

api_error invalid(std::string message);
/// The errors of the reads above, for readers of fields not held in a JSON document.
api_error missing_field(std::string_view key);
api_error not_a_string(std::string_view key);
api_error not_a_seq(std::string_view key);

/// A decimal integer of 0..2^64-1 with nothing else around it; else "<name> must be a
/// non-negative integer".
std::optional<api_error> read_uint(std::string_view name, std::string_view text, uint64_t& out);

/// Calls visit(key, value) for each `key=value` pair of a query string, in order (a pair
/// without '=' has an empty value), and returns the first error visit returns. Nothing is
/// percent-decoded: every value a route accepts is plain ASCII.
template <class Visit>
std::optional<api_error> for_each_query_pair(std::string_view query, Visit visit) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (auto e = visit(pair.substr(0, eq), value)) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace plexichat::net::fields
