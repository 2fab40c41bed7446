#include "net/json_input.hpp"

namespace plexichat::net {

namespace detail {

std::string json_error(bool too_deep, bool out_of_range, std::size_t error_byte,
                       unsigned max_depth) {
  if (too_deep) {
    return "JSON nested deeper than " + std::to_string(max_depth) + " levels";
  }
  if (out_of_range) {
    return "malformed JSON: a number is out of range";
  }
  // The byte offset is what a client can use; nlohmann's message names its internals.
  return "malformed JSON at byte " + std::to_string(error_byte);
}

}  // namespace detail

namespace {

using nlohmann::json;

/// nlohmann-json's own DOM builder. (A parse with a callback would limit the depth at about
/// twice the cost: it calls a std::function for every value and keeps two more stacks.)
using dom_builder = nlohmann::detail::json_sax_dom_parser<json>;

}  // namespace

json_parse_result parse_json(std::string_view text, unsigned max_depth) {
  json value;
  dom_builder dom{value, /*allow_exceptions=*/false};
  auto error = sax_parse_json(text, max_depth, dom);
  if (!error.empty()) {
    return {std::nullopt, std::move(error)};
  }
  return {std::move(value), {}};
}

}  // namespace plexichat::net
