#include "storage/keys.hpp"

#include "storage/byte_order.hpp"

namespace plexichat::storage {
namespace {

constexpr char separator = '\0';

std::string join(std::string_view first, std::string_view second) {
  std::string key;
  key.reserve(first.size() + 1 + second.size());
  key.append(first);
  key.push_back(separator);
  key.append(second);
  return key;
}

// Splits at the first separator; both parts must be non-empty.
std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view key) {
  auto at = key.find(separator);
  if (at == std::string_view::npos || at == 0 || at + 1 == key.size()) {
    return std::nullopt;
  }
  return std::pair{key.substr(0, at), key.substr(at + 1)};
}

}  // namespace

std::string key_prefix(std::string_view first) {
  std::string prefix(first);
  prefix.push_back(separator);
  return prefix;
}

std::string key_prefix_end(std::string_view first) {
  std::string end(first);
  end.push_back('\1');
  return end;
}

std::string message_key(std::string_view channel_id, uint64_t seq) {
  std::string key = key_prefix(channel_id);
  append_u64_be(key, seq);
  return key;
}

std::optional<message_key_parts> split_message_key(std::string_view key) {
  auto at = key.find(separator);
  if (at == std::string_view::npos || at == 0 || key.size() != at + 1 + 8) {
    return std::nullopt;
  }
  return message_key_parts{key.substr(0, at), load_u64_be(key.substr(at + 1))};
}

std::string member_key(std::string_view channel_id, std::string_view user_id) {
  return join(channel_id, user_id);
}

std::optional<member_key_parts> split_member_key(std::string_view key) {
  auto parts = split_once(key);
  if (!parts || parts->second.find(separator) != std::string_view::npos) {
    return std::nullopt;
  }
  return member_key_parts{parts->first, parts->second};
}

std::string user_channels_key(std::string_view user_id, std::string_view channel_id) {
  return join(user_id, channel_id);
}

std::optional<user_channels_key_parts> split_user_channels_key(std::string_view key) {
  auto parts = split_member_key(key);
  if (!parts) {
    return std::nullopt;
  }
  return user_channels_key_parts{parts->channel_id, parts->user_id};
}

std::string nonce_key(std::string_view channel_id, std::string_view author_id,
                      std::string_view nonce) {
  return join(join(channel_id, author_id), nonce);
}

std::optional<nonce_key_parts> split_nonce_key(std::string_view key) {
  auto outer = split_once(key);
  if (!outer) {
    return std::nullopt;
  }
  auto inner = split_once(outer->second);
  if (!inner) {
    return std::nullopt;
  }
  return nonce_key_parts{outer->first, inner->first, inner->second};
}

std::string audit_key(uint64_t seq) {
  std::string key;
  append_u64_be(key, seq);
  return key;
}

std::optional<uint64_t> split_audit_key(std::string_view key) {
  if (key.size() != 8) {
    return std::nullopt;
  }
  return load_u64_be(key);
}

std::string session_key(std::string_view user_id, std::string_view session_id) {
  return join(user_id, session_id);
}

std::string shard_key(std::string_view owner, std::string_view backup_id,
                      std::string_view chunk_name, uint8_t index) {
  auto key = shard_key_prefix(owner, backup_id);
  key.append(chunk_name);
  key.push_back(static_cast<char>(index));
  return key;
}

std::string shard_key_prefix(std::string_view owner, std::string_view backup_id) {
  std::string key = key_prefix(owner);
  key.append(backup_id);
  key.push_back('\0');
  return key;
}

std::optional<shard_key_parts> split_shard_key(std::string_view key) {
  auto first = key.find('\0');
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  auto second = key.find('\0', first + 1);
  if (second == std::string_view::npos || key.size() < second + 2) {
    return std::nullopt;
  }
  shard_key_parts parts;
  parts.owner = key.substr(0, first);
  parts.backup_id = key.substr(first + 1, second - first - 1);
  parts.chunk_name = key.substr(second + 1, key.size() - second - 2);
  parts.index = static_cast<uint8_t>(key.back());
  return parts;
}

}  // namespace plexichat::storage
