#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"

namespace plexichat::actors::audit {

/// What an audited action hands to the log; seq, time and MAC are added by the chain.
struct audit_entry {
  std::string type;      ///< event type, e.g. "auth.login" (docs/API.md lists them)
  std::string actor_id;  ///< who acted: a user id, "" when anonymous, "operator", "config"
  std::string subject;   ///< what was acted on: a user id, channel id or attempted username
  std::string address;   ///< the client's IP address, "" when none
  std::string detail;    ///< a JSON object as text; "{}" when there is nothing more
};

/// The head of the chain: the last record's seq and MAC (seq 0 and the genesis MAC, 32 zero
/// bytes, for an empty log).
struct chain_head {
  uint64_t seq = 0;
  std::string mac = std::string(32, '\0');

  bool operator==(const chain_head&) const = default;
};

/// The meta audit_head value: 8-byte big-endian seq then the 32-byte MAC.
std::string encode_head(const chain_head& head);
/// nullopt unless exactly 40 bytes.
std::optional<chain_head> decode_head(std::string_view bytes);

/// MAC of a record: keyed BLAKE2b over (previous MAC || encode_audit_body(record)).
std::string record_mac(std::string_view key, std::string_view previous_mac,
                       const storage::audit_record& record);

/// The appending side of the hash chain. seal() gives an entry the next seq and its MAC and
/// advances the head; the caller stores the record and the head in one atomic write.
/// Owned by the audit actor (or an offline tool); not thread-safe.
class audit_chain {
 public:
  audit_chain(std::string key, chain_head head);

  storage::audit_record seal(const audit_entry& entry, int64_t time_ms);
  const chain_head& head() const { return head_; }
  /// Sets the head back (after a failed write of records sealed past it).
  void rewind(chain_head head) { head_ = std::move(head); }

 private:
  std::string key_;
  chain_head head_;
};

/// The outcome of a verification: ok and how many records, or the first bad seq and why
/// ("mac mismatch", "missing record", "unreadable record", "seq mismatch", "head mismatch").
struct verify_result {
  bool ok = true;
  uint64_t records = 0;
  uint64_t first_bad_seq = 0;
  std::string reason;
};

/// Checks a log record by record, in key order, then against the stored head (which catches
/// a truncated tail). After the first fault further input is ignored. Not thread-safe.
class audit_verifier {
 public:
  explicit audit_verifier(std::string key);

  /// One stored record: its key's seq (nullopt for a malformed key) and the decoded record
  /// (nullopt if it does not decode).
  void feed(std::optional<uint64_t> key_seq, const std::optional<storage::audit_record>& record);
  /// The verdict, given the stored head (nullopt when there is none).
  verify_result finish(const std::optional<chain_head>& stored_head);

 private:
  void fail(uint64_t seq, std::string reason);

  std::string key_;
  chain_head last_;
  verify_result result_;
};

}  // namespace plexichat::actors::audit
