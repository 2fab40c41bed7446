#include "net/json_input.hpp"

namespace plexichat::net {

namespace {

struct too_deep {};

}  // namespace

json_parse_result parse_json(std::string_view text, unsigned max_depth) {
  using nlohmann::json;
  // The callback sees each value's depth as it is parsed; throwing out of it is the only way
  // nlohmann-json offers to stop a parse early.
  auto limit = [max_depth](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= static_cast<int>(max_depth)) {
      throw too_deep{};
    }
    return true;
  };
  // nlohmann-json stops at a NUL after a complete value; anything after one is not JSON.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return {std::nullopt, "malformed JSON at byte " + std::to_string(nul + 1)};
  }
  try {
    return {json::parse(text.begin(), text.end(), limit), {}};
  } catch (const too_deep&) {
    return {std::nullopt, "JSON nested deeper than " + std::to_string(max_depth) + " levels"};
  } catch (const json::parse_error& e) {
    // e.what() names nlohmann's internals; the byte offset is what a client can use.
    return {std::nullopt, "malformed JSON at byte " + std::to_string(e.byte)};
  } catch (const json::exception&) {
    // A number beyond a double's range (1e999) throws out_of_range, not parse_error.
    return {std::nullopt, "malformed JSON: a number is out of range"};
  }
}

}  // namespace plexichat::net
