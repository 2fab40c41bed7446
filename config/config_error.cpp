#include "config/config_error.hpp"

#include <utility>

namespace plexichat::config {
namespace {

std::string compose(const std::string& key, const std::string& reason, const std::string& source) {
  std::string text = "config: ";
  if (!source.empty()) {
    text += source + ": ";
  }
  if (!key.empty()) {
    text += key + ": ";
  }
  return text + reason;
}

}  // namespace

config_error::config_error(std::string key, std::string reason, std::string source)
    : std::runtime_error(compose(key, reason, source)),
      key_(std::move(key)),
      reason_(std::move(reason)),
      source_(std::move(source)) {}

}  // namespace plexichat::config
