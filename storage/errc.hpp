#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace plexichat::storage {

/// The ways a storage call can fail.
enum class errc {
  ok,
  io_error,          ///< RocksDB or the file system failed; also a write refused after stop.
  corruption,        ///< Stored data is unreadable or inconsistent.
  newer_schema,      ///< The data directory was written by a newer PlexiChat.
  locked,            ///< Another process (or another open in this one) holds the database.
  invalid_argument,  ///< The caller passed something unusable (empty path, missing database).
};

/// A short, stable name for `code` ("io_error", ...), for logs and messages.
constexpr std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::io_error:
      return "io_error";
    case errc::corruption:
      return "corruption";
    case errc::newer_schema:
      return "newer_schema";
    case errc::locked:
      return "locked";
    case errc::invalid_argument:
      return "invalid_argument";
  }
  return "unknown";
}

/// The outcome of a storage call: `code` says what went wrong, `message` says it for a human.
struct [[nodiscard]] status {
  errc code = errc::ok;
  std::string message;

  bool ok() const { return code == errc::ok; }
};

/// Either a value of T or the status that explains why there is none.
/// Construct from a T (success) or from a status whose code is not errc::ok (failure).
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(status error) : state_(std::in_place_index<1>, std::move(error)) {
    assert(!std::get<1>(state_).ok());
  }

  bool ok() const { return state_.index() == 0; }

  /// The value; only valid when ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }

  /// The failure; an ok status when ok().
  const status& error() const {
    static const status no_error{};
    return ok() ? no_error : std::get<1>(state_);
  }

 private:
  std::variant<T, status> state_;
};

}  // namespace plexichat::storage
