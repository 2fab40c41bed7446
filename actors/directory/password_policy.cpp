#include "actors/directory/password_policy.hpp"

#include <pwquality.h>

#include <algorithm>

namespace plexichat::actors::directory {

password_policy::password_policy(std::size_t min_length, int min_score)
    : settings_(pwquality_default_settings()), min_score_(min_score) {
  if (settings_ != nullptr) {
    pwquality_set_int_value(settings_, PWQ_SETTING_MIN_LENGTH,
                            static_cast<int>(std::min<std::size_t>(min_length, 1024)));
  }
}

password_policy::~password_policy() {
  if (settings_ != nullptr) {
    pwquality_free_settings(settings_);
  }
}

std::optional<std::string> password_policy::check(std::string_view password,
                                                  std::string_view username,
                                                  std::string_view old_password) const {
  if (settings_ == nullptr) {
    return "password refused: the password checker is not available";
  }
  // pwquality reads C strings: a NUL would hide the rest of the password from it.
  if (password.find('\0') != std::string_view::npos) {
    return "password refused: it must not contain a NUL character";
  }
  std::string pw{password};
  std::string user{username};
  std::string old{old_password};
  void* aux = nullptr;
  std::lock_guard lock{mutex_};
  int score = pwquality_check(settings_, pw.c_str(), old.empty() ? nullptr : old.c_str(),
                              user.empty() ? nullptr : user.c_str(), &aux);
  if (score < 0) {
    char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
    const char* text = pwquality_strerror(buf, sizeof buf, score, aux);
    return std::string{"password refused: "} + (text != nullptr ? text : "too weak");
  }
  if (score < min_score_) {
    return "password refused: it is too weak (it scores " + std::to_string(score) +
           " of 100 and at least " + std::to_string(min_score_) +
           " is needed); make it longer or less predictable";
  }
  return std::nullopt;
}

}  // namespace plexichat::actors::directory
