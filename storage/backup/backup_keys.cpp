#include "storage/backup/backup_keys.hpp"

#include <cctype>

#include "runtime/crypto.hpp"
#include "storage/backup/backup_hashes.hpp"

namespace plexichat::storage::backup {

namespace {

constexpr std::string_view kContext = "pxbackup";
constexpr std::string_view kRecoveryPrefix = "pxk1";
constexpr std::size_t kCheckBytes = 4;
constexpr std::size_t kGroupChars = 4;

enum subkey_id : uint64_t { naming_id = 1, wrapping_id = 2, manifest_id = 3 };

std::string check_of(std::string_view key) {
  return runtime::hash256(key).substr(0, kCheckBytes);
}

status bad_recovery_key(std::string_view why) {
  return {errc::invalid_argument, "not a PlexiChat recovery key: " + std::string(why)};
}

}  // namespace

master_key generate_master_key() {
  return {runtime::random_bytes(master_key_bytes)};
}

result<backup_keys> derive_keys(const master_key& master) {
  if (master.bytes.size() != master_key_bytes) {
    return status{errc::invalid_argument, "a backup master key has 32 bytes, this one has " +
                                              std::to_string(master.bytes.size())};
  }
  return backup_keys{runtime::derive_subkey(master.bytes, naming_id, kContext),
                     runtime::derive_subkey(master.bytes, wrapping_id, kContext),
                     runtime::derive_subkey(master.bytes, manifest_id, kContext)};
}

std::string chunk_name(std::string_view naming_key, std::string_view plaintext) {
  return hmac_sha256(naming_key, plaintext);
}

std::string recovery_key_text(const master_key& master) {
  std::string hex = runtime::to_hex(master.bytes + check_of(master.bytes));
  std::string out(kRecoveryPrefix);
  for (std::size_t i = 0; i < hex.size(); i += kGroupChars) {
    out.push_back('-');
    out.append(hex, i, kGroupChars);
  }
  return out;
}

result<master_key> parse_recovery_key(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != '-' && !std::isspace(static_cast<unsigned char>(c))) {
      compact.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (compact.rfind(kRecoveryPrefix, 0) != 0) {
    return bad_recovery_key("it does not start with \"pxk1-\"");
  }
  compact.erase(0, kRecoveryPrefix.size());
  if (compact.size() != 2 * (master_key_bytes + kCheckBytes)) {
    return bad_recovery_key("it has " + std::to_string(compact.size()) +
                            " hex digits, a recovery key has 72");
  }
  auto bytes = runtime::from_hex(compact);
  if (!bytes) {
    return bad_recovery_key("it holds a character that is not a hex digit");
  }
  std::string key = bytes->substr(0, master_key_bytes);
  if (!runtime::equal_constant_time(check_of(key), bytes->substr(master_key_bytes))) {
    return bad_recovery_key("its check digits do not match (a character is mistyped)");
  }
  return master_key{std::move(key)};
}

}  // namespace plexichat::storage::backup
