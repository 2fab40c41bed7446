#include "net/json_input.hpp"

namespace plexichat::net {

namespace {

using nlohmann::json;

/// nlohmann-json's own DOM builder, refusing containers nested deeper than `max_depth`.
/// (A parse with a callback would do the same at about twice the cost: it calls a
/// std::function for every value and keeps two more stacks.)
class depth_limited_dom : public nlohmann::detail::json_sax_dom_parser<json> {
  using base = nlohmann::detail::json_sax_dom_parser<json>;

 public:
  depth_limited_dom(json& result, unsigned max_depth)
      : base(result, /*allow_exceptions=*/false), max_depth_(max_depth) {}

  bool start_object(std::size_t elements) { return enter() && base::start_object(elements); }
  bool end_object() {
    --depth_;
    return base::end_object();
  }
  bool start_array(std::size_t elements) { return enter() && base::start_array(elements); }
  bool end_array() {
    --depth_;
    return base::end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t byte, const std::string& token, const Exception& ex) {
    error_byte_ = byte;
    out_of_range_ = ex.id >= 400 && ex.id < 500;  // out_of_range: a number beyond a double
    return base::parse_error(byte, token, ex);
  }

  bool too_deep() const { return too_deep_; }
  bool out_of_range() const { return out_of_range_; }
  std::size_t error_byte() const { return error_byte_; }

 private:
  bool enter() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  unsigned max_depth_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
  bool out_of_range_ = false;
  std::size_t error_byte_ = 0;
};

}  // namespace

json_parse_result parse_json(std::string_view text, unsigned max_depth) {
  // nlohmann-json stops at a NUL after a complete value; anything after one is not JSON.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return {std::nullopt, "malformed JSON at byte " + std::to_string(nul + 1)};
  }
  json value;
  depth_limited_dom dom{value, max_depth};
  if (json::sax_parse(text.begin(), text.end(), &dom)) {
    return {std::move(value), {}};
  }
  if (dom.too_deep()) {
    return {std::nullopt, "JSON nested deeper than " + std::to_string(max_depth) + " levels"};
  }
  if (dom.out_of_range()) {
    return {std::nullopt, "malformed JSON: a number is out of range"};
  }
  // The byte offset is what a client can use; nlohmann's message names its internals.
  return {std::nullopt, "malformed JSON at byte " + std::to_string(dom.error_byte())};
}

}  // namespace plexichat::net
