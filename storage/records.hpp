#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plexichat::storage {

/// The schema this build writes and the newest one it can read.
inline constexpr uint32_t current_schema_version = 1;

// Ids are opaque ASCII strings of [A-Za-z0-9_-] that never contain '\0'; times are int64
// milliseconds since the epoch.

/// A registered user; `username` is lowercase and unique.
struct user_record {
  std::string id;
  std::string username;
  std::string password_hash;
  int64_t created_at = 0;
  /// Raised by one at every password change, by the user's home node, so that a peer keeps
  /// the newest copy whatever order copies reach it in.
  int64_t version = 0;

  bool operator==(const user_record&) const = default;
};

struct channel_record {
  std::string id;
  std::string name;
  std::string topic;
  bool is_private = false;
  std::string owner_id;
  int64_t created_at = 0;

  bool operator==(const channel_record&) const = default;
};

struct member_record {
  std::string channel_id;
  std::string user_id;
  int64_t joined_at = 0;

  bool operator==(const member_record&) const = default;
};

/// One message of a channel's log; `seq` is its position in the channel, `nonce` the
/// client's idempotency key (may be empty).
struct message_record {
  std::string id;
  std::string channel_id;
  uint64_t seq = 0;
  std::string author_id;
  std::string author;
  std::string content;
  int64_t created_at = 0;
  std::string nonce;

  bool operator==(const message_record&) const = default;
};

/// What a (channel, author, nonce) triple was assigned: the message's seq and time.
struct nonce_record {
  uint64_t seq = 0;
  int64_t created_at = 0;

  bool operator==(const nonce_record&) const = default;
};

/// What database::peek_nonce learnt without reading the disk.
struct nonce_peek {
  enum class result { absent, found, unknown };
  result state = result::unknown;
  nonce_record record;  ///< when found
};

/// One entry of the node's security audit log (actors/audit/). `mac` is the keyed BLAKE2b
/// hash chaining it to the previous record; every other field is covered by it.
struct audit_record {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string type;      ///< e.g. "auth.login"
  std::string actor_id;  ///< the user who acted; empty for anonymous, "operator" offline
  std::string subject;   ///< what was acted on: a user id, a channel id, a username
  std::string address;   ///< the client's IP address; empty when none
  std::string detail;    ///< a JSON object, as text
  std::string mac;       ///< 32 bytes

  bool operator==(const audit_record&) const = default;
};

/// A user's second-factor state (the mfa column family, keyed by user id). `totp_secret` is
/// the raw RFC 6238 key (20 random bytes); `enabled` turns true once a code confirmed it;
/// `last_step` is the last TOTP time step accepted (-1 for none), so no step is accepted
/// twice; `backup_hashes` are keyed BLAKE2b hashes (key `backup_key`) of the unused backup
/// codes.
struct mfa_record {
  std::string user_id;
  std::string totp_secret;
  bool enabled = false;
  int64_t last_step = -1;
  std::string backup_key;
  std::vector<std::string> backup_hashes;
  /// Raised by one at every change, by the user's owner node, so that a peer keeps the newest
  /// copy whatever order copies reach it in. A record without a secret is kept, as a
  /// tombstone, so that its version outranks the enrolment it ended.
  int64_t version = 0;

  bool operator==(const mfa_record&) const = default;
};

/// One login session (the sessions column family, keyed by session_key(user_id, id)). `id`
/// is the token id (JWT "jti"); `device` the client's User-Agent, `address` its IP address.
struct session_record {
  std::string id;
  std::string user_id;
  std::string device;
  std::string address;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t expires_at = 0;

  bool operator==(const session_record&) const = default;
};

/// A page of a channel's log in ascending seq; `has_more` says whether more messages exist
/// beyond the page in the direction of travel.
struct message_page {
  std::vector<message_record> messages;
  bool has_more = false;
};

}  // namespace plexichat::storage
