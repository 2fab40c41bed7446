#include "net/field_checks.hpp"

#include <charconv>

#include "runtime/text.hpp"

namespace plexichat::net::fields {

api_error invalid(std::string message) {
  return {actors::api_errc::invalid_request, std::move(message)};
}

std::optional<api_error> read_uint(std::string_view name, std::string_view text, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
    return invalid(std::string{name} + " must be a non-negative integer");
  }
  return std::nullopt;
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

api_error missing_field(std::string_view key) {
  return invalid("missing field \"" + std::string{key} + "\"");
}

api_error not_a_string(std::string_view key) {
  return invalid("field \"" + std::string{key} + "\" must be a string");
}

api_error not_a_seq(std::string_view key) {
  return invalid("field \"" + std::string{key} + "\" must be a non-negative integer");
}

std::optional<api_error> get_string(const nlohmann::json& obj, const char* key, std::string& out) {
  auto i = obj.find(key);
  if (i == obj.end()) {
    return missing_field(key);
  }
  if (!i->is_string()) {
    return not_a_string(key);
  }
  out = i->get<std::string>();
  return std::nullopt;
}

std::optional<api_error> get_optional_string(const nlohmann::json& obj, const char* key,
                                             std::string& out) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null()) {
    return std::nullopt;
  }
  return get_string(obj, key, out);
}

std::optional<api_error> get_optional_seq(const nlohmann::json& obj, const char* key,
                                          std::optional<uint64_t>& out) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null()) {
    return std::nullopt;
  }
  if (!i->is_number_unsigned() && !(i->is_number_integer() && i->get<int64_t>() >= 0)) {
    return not_a_seq(key);
  }
  out = i->get<uint64_t>();
  return std::nullopt;
}

std::optional<api_error> check_text(std::string_view field, std::string_view value,
                                    std::size_t min_chars, std::size_t max_chars,
                                    bool allow_newlines) {
  if (!runtime::is_valid_utf8(value)) {
    return invalid(std::string{field} + " must be valid UTF-8");
  }
  auto n = runtime::count_code_points(value);
  if (n < min_chars || n > max_chars) {
    return invalid(std::string{field} + " must be " + std::to_string(min_chars) + " to " +
                   std::to_string(max_chars) + " characters, got " + std::to_string(n));
  }
  if (!allow_newlines && (runtime::has_control_chars(value) ||
                          value.find_first_of("\n\t") != std::string_view::npos)) {
    return invalid(std::string{field} + " must not contain control characters");
  }
  return std::nullopt;
}

std::optional<api_error> check_nonce(std::string_view nonce) {
  if (nonce.empty() || nonce.size() > 128) {
    return invalid("nonce must be 1 to 128 characters");
  }
  for (char c : nonce) {
    if (c < 0x20 || c > 0x7e) {
      return invalid("nonce must be printable ASCII");
    }
  }
  return std::nullopt;
}

}  // namespace plexichat::net::fields
