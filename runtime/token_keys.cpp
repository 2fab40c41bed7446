#include "runtime/token_keys.hpp"

#include <mutex>

#include <nlohmann/json.hpp>

#include "runtime/crypto.hpp"

namespace plexichat::runtime {

namespace {

constexpr std::size_t kPublicKeyBytes = 32;

}  // namespace

bool token_keys::set(const std::string& issuer, const std::string& public_key) {
  std::unique_lock lock{mutex_};
  auto [it, inserted] = keys_.try_emplace(issuer, public_key);
  if (inserted) {
    return true;
  }
  if (it->second == public_key) {
    return false;
  }
  it->second = public_key;
  return true;
}

std::optional<std::string> token_keys::find(std::string_view issuer) const {
  std::shared_lock lock{mutex_};
  auto i = keys_.find(issuer);
  return i == keys_.end() ? std::nullopt : std::optional<std::string>{i->second};
}

std::map<std::string, std::string> token_keys::all() const {
  std::shared_lock lock{mutex_};
  return {keys_.begin(), keys_.end()};
}

std::string encode_token_keys(const std::map<std::string, std::string>& keys) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [issuer, key] : keys) {
    out[issuer] = base64url_encode(key);
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::map<std::string, std::string>> decode_token_keys(std::string_view text) {
  auto in = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object()) {
    return std::nullopt;
  }
  std::map<std::string, std::string> keys;
  for (const auto& [issuer, value] : in.items()) {
    if (!value.is_string()) {
      return std::nullopt;
    }
    auto key = base64url_decode(value.get<std::string>());
    if (!key || key->size() != kPublicKeyBytes) {
      return std::nullopt;
    }
    keys.emplace(issuer, std::move(*key));
  }
  return keys;
}

}  // namespace plexichat::runtime
