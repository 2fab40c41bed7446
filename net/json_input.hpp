#pragma once

#include <cstddef>
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

/// nlohmann-json's SAX parse of `text` into `handler` (an object with nlohmann's SAX event
/// functions), with parse_json's refusals: nesting deeper than `max_depth`, a NUL byte,
/// anything that is not one JSON value. Returns an empty string when the text parsed and
/// the handler accepted every event, else why not, for a person (parse_json's wording).
/// Never throws. For callers that read a few fields and need no document.
template <class Handler>
std::string sax_parse_json(std::string_view text, unsigned max_depth, Handler& handler);

namespace detail {

/// Why a SAX parse failed, in parse_json's words.
std::string json_error(bool too_deep, bool out_of_range, std::size_t error_byte,
                       unsigned max_depth);

/// Forwards nlohmann's SAX events to a handler, refusing containers nested deeper than
/// `max_depth`, and keeps what a failed parse needs for its message.
template <class Handler>
class depth_limited {
 public:
  depth_limited(Handler& h, unsigned max_depth) : h_(h), max_depth_(max_depth) {}

  bool null() { return h_.null(); }
  bool boolean(bool v) { return h_.boolean(v); }
  bool number_integer(nlohmann::json::number_integer_t v) { return h_.number_integer(v); }
  bool number_unsigned(nlohmann::json::number_unsigned_t v) { return h_.number_unsigned(v); }
  bool number_float(nlohmann::json::number_float_t v, const std::string& s) {
    return h_.number_float(v, s);
  }
  bool string(std::string& v) { return h_.string(v); }
  bool binary(nlohmann::json::binary_t& v) { return h_.binary(v); }
  bool key(std::string& k) { return h_.key(k); }
  bool start_object(std::size_t n) { return enter() && h_.start_object(n); }
  bool end_object() {
    --depth_;
    return h_.end_object();
  }
  bool start_array(std::size_t n) { return enter() && h_.start_array(n); }
  bool end_array() {
    --depth_;
    return h_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t byte, const std::string& token, const Exception& ex) {
    error_byte_ = byte;
    out_of_range_ = ex.id >= 400 && ex.id < 500;  // out_of_range: a number beyond a double
    return h_.parse_error(byte, token, ex);
  }

  std::string error() const {
    return json_error(too_deep_, out_of_range_, error_byte_, max_depth_);
  }

 private:
  bool enter() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  Handler& h_;
  unsigned max_depth_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
  bool out_of_range_ = false;
  std::size_t error_byte_ = 0;
};

}  // namespace detail

template <class Handler>
std::string sax_parse_json(std::string_view text, unsigned max_depth, Handler& handler) {
  // nlohmann-json stops at a NUL after a complete value; anything after one is not JSON.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return "malformed JSON at byte " + std::to_string(nul + 1);
  }
  detail::depth_limited<Handler> sax{handler, max_depth};
  if (nlohmann::json::sax_parse(text.begin(), text.end(), &sax)) {
    return {};
  }
  return sax.error();
}

}  // namespace plexichat::net
