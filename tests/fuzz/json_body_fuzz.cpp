// Fuzzes JSON body validation: net/json_input.cpp's parse_json (depth limit, NUL bytes,
// numbers out of range, invalid UTF-8) and the field checks of net/field_checks.cpp on every
// member of a parsed object.
//
// Invariants: parse_json accepts exactly what nlohmann-json accepts without NUL bytes and
// within the depth limit, never throws, and yields a value that dumps (valid UTF-8) and parses
// back equal; each field check accepts only what its contract allows.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/field_checks.hpp"
#include "net/json_input.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/rest_call_checks.hpp"

namespace {

using nlohmann::json;
namespace fields = plexichat::net::fields;

/// Levels of nesting: 0 for a scalar, 1 for a flat array or object. Iterative, so a deep
/// document cannot overflow the stack here.
unsigned nesting(const json& root) {
  unsigned deepest = 0;
  std::vector<std::pair<const json*, unsigned>> todo{{&root, 0}};
  while (!todo.empty()) {
    auto [j, above] = todo.back();
    todo.pop_back();
    if (!j->is_structured()) {
      continue;
    }
    deepest = std::max(deepest, above + 1);
    for (const auto& child : *j) {
      todo.emplace_back(&child, above + 1);
    }
  }
  return deepest;
}

void check_parse(std::string_view text, unsigned max_depth) {
  auto r = plexichat::net::parse_json(text, max_depth);
  bool expected = text.find('\0') == std::string_view::npos &&
                  json::accept(text.begin(), text.end()) &&
                  nesting(json::parse(text.begin(), text.end())) <= max_depth;
  FUZZ_CHECK(r.value.has_value() == expected);
  if (!r.value) {
    FUZZ_CHECK(!r.error.empty() && plexichat::runtime::is_valid_utf8(r.error));
    return;
  }
  // Strict dump: throws (and so fails the run) on a string that is not valid UTF-8.
  auto again = json::parse(r.value->dump());
  FUZZ_CHECK(again == *r.value);
}

void check_string_fields(const json& obj, const std::string& key, const json& value) {
  std::string s;
  auto e = fields::get_string(obj, key.c_str(), s);
  FUZZ_CHECK(e.has_value() != value.is_string());
  FUZZ_CHECK(!e || plexichat::fuzz::is_client_error(*e));
  std::string optional;
  auto eo = fields::get_optional_string(obj, key.c_str(), optional);
  FUZZ_CHECK(eo.has_value() == !(value.is_string() || value.is_null()));
  if (!value.is_string()) {
    return;
  }
  FUZZ_CHECK(s == value.get<std::string>() && optional == s);
  FUZZ_CHECK(fields::is_valid_id(s) == plexichat::fuzz::is_id(s));
  auto nonce = fields::check_nonce(s);
  FUZZ_CHECK(!nonce == plexichat::fuzz::is_valid_nonce(s));
  for (bool newlines : {false, true}) {
    auto t = fields::check_text(key, s, 1, 64, newlines);
    FUZZ_CHECK(!t == plexichat::fuzz::is_valid_text(s, 1, 64, newlines));
    FUZZ_CHECK(!t || plexichat::fuzz::is_client_error(*t));
  }
}

void check_seq_field(const json& obj, const std::string& key, const json& value) {
  std::optional<uint64_t> seq;
  auto e = fields::get_optional_seq(obj, key.c_str(), seq);
  bool non_negative =
      value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
  FUZZ_CHECK(e.has_value() == !(non_negative || value.is_null()));
  FUZZ_CHECK(seq.has_value() == non_negative);
  if (seq) {
    FUZZ_CHECK(json(*seq) == value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The node's default depth, and a small one that the fuzzer can reach at both sides.
  check_parse(text, 32);
  check_parse(text, 2);
  auto r = plexichat::net::parse_json(text, 32);
  if (!r.value || !r.value->is_object()) {
    return 0;
  }
  for (const auto& [key, value] : r.value->items()) {
    // The field readers take the protocol's key names as C strings.
    if (key.find('\0') != std::string::npos) {
      continue;
    }
    check_string_fields(*r.value, key, value);
    check_seq_field(*r.value, key, value);
  }
  return 0;
}
