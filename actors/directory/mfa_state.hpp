#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/records.hpp"

/// The rules of a user's second factor over storage::mfa_record, without I/O: enrolment,
/// confirmation, checking a code at login or disable, backup codes. Times are injected
/// (`now_seconds`), so tests choose the clock. Functions that take a record by reference
/// change it only on success; the caller persists the changed record. Thread-safe (no shared
/// state); fast enough for an actor thread (a few HMACs and BLAKE2b hashes).
namespace plexichat::actors::directory {

/// Bytes of a TOTP key (RFC 4226 recommends 160 bits).
inline constexpr std::size_t totp_secret_bytes = 20;
/// Backup codes handed out when TOTP is confirmed.
inline constexpr std::size_t backup_code_count = 10;
/// Characters of a backup code (base32, 50 random bits).
inline constexpr std::size_t backup_code_chars = 10;

/// A fresh, unconfirmed enrolment for `user_id`: a random key, not enabled, no backup codes.
storage::mfa_record new_enrolment(std::string user_id);

/// True when TOTP is confirmed and on for the record's user.
inline bool totp_enabled(const storage::mfa_record& r) {
  return r.enabled && !r.totp_secret.empty();
}

/// Confirms an unconfirmed enrolment with a TOTP code: on a match, enables it, records the
/// step and replaces the backup codes; returns the new codes in clear (the record keeps only
/// their hashes). Empty when the code does not match (record unchanged).
std::vector<std::string> confirm_enrolment(storage::mfa_record& record, std::string_view code,
                                           int64_t now_seconds);

/// What a second-factor code turned out to be.
enum class factor_result { totp, backup_code, invalid };

/// Checks `code` for an enabled record: a 6-digit code is a TOTP code (current step or the
/// one before, later than last_step: the step is then recorded); anything else is a backup
/// code (case, spaces and '-' ignored), consumed on use. invalid leaves the record unchanged.
factor_result check_factor(storage::mfa_record& record, std::string_view code, int64_t now_seconds);

/// Replaces the record's backup codes with `backup_code_count` fresh ones (new hash key too)
/// and returns them in clear.
std::vector<std::string> issue_backup_codes(storage::mfa_record& record);

}  // namespace plexichat::actors::directory
