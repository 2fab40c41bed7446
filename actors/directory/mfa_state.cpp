#include "actors/directory/mfa_state.hpp"

#include <algorithm>
#include <cctype>

#include "actors/directory/totp.hpp"
#include "runtime/crypto.hpp"

namespace plexichat::actors::directory {

namespace {

std::string normalize_backup_code(std::string_view code) {
  std::string out;
  for (char ch : code) {
    if (ch == '-' || ch == ' ') {
      continue;
    }
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  return out;
}

std::string new_backup_code() {
  // 7 random bytes are 56 bits; the first 10 base32 characters carry 50 of them.
  return base32_encode(runtime::random_bytes(7)).substr(0, backup_code_chars);
}

bool consume_backup_code(storage::mfa_record& record, std::string_view code) {
  auto normal = normalize_backup_code(code);
  if (normal.size() != backup_code_chars) {
    return false;
  }
  auto hash = runtime::keyed_hash(record.backup_key, normal);
  auto match =
      std::find_if(record.backup_hashes.begin(), record.backup_hashes.end(),
                   [&](const std::string& h) { return runtime::equal_constant_time(h, hash); });
  if (hash.empty() || match == record.backup_hashes.end()) {
    return false;
  }
  record.backup_hashes.erase(match);
  return true;
}

}  // namespace

storage::mfa_record new_enrolment(std::string user_id) {
  storage::mfa_record r;
  r.user_id = std::move(user_id);
  r.totp_secret = runtime::random_bytes(totp_secret_bytes);
  return r;
}

std::vector<std::string> issue_backup_codes(storage::mfa_record& record) {
  record.backup_key = runtime::random_bytes(runtime::keyed_hash_bytes);
  record.backup_hashes.clear();
  std::vector<std::string> codes;
  while (codes.size() < backup_code_count) {
    auto code = new_backup_code();
    if (std::find(codes.begin(), codes.end(), code) != codes.end()) {
      continue;
    }
    record.backup_hashes.push_back(runtime::keyed_hash(record.backup_key, code));
    codes.push_back(std::move(code));
  }
  return codes;
}

std::vector<std::string> confirm_enrolment(storage::mfa_record& record, std::string_view code,
                                           int64_t now_seconds) {
  if (record.totp_secret.empty() || record.enabled) {
    return {};
  }
  auto step = totp_match(record.totp_secret, code, now_seconds, record.last_step);
  if (!step) {
    return {};
  }
  record.enabled = true;
  record.last_step = *step;
  return issue_backup_codes(record);
}

factor_result check_factor(storage::mfa_record& record, std::string_view code,
                           int64_t now_seconds) {
  if (!totp_enabled(record)) {
    return factor_result::invalid;
  }
  bool digits = code.size() == totp_digits && std::all_of(code.begin(), code.end(), [](char ch) {
                  return ch >= '0' && ch <= '9';
                });
  if (digits) {
    auto step = totp_match(record.totp_secret, code, now_seconds, record.last_step);
    if (!step) {
      return factor_result::invalid;
    }
    record.last_step = *step;
    return factor_result::totp;
  }
  return consume_backup_code(record, code) ? factor_result::backup_code : factor_result::invalid;
}

}  // namespace plexichat::actors::directory
