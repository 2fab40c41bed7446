#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "storage/records.hpp"

// The messages of account security (second factor, passwords, sessions) between the REST
// session and the directory, with their inspect() functions.
namespace plexichat::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mfa_record& x) {
  return f(caf::meta::type_name("mfa_record"), x.user_id, x.totp_secret, x.enabled, x.last_step,
           x.backup_key, x.backup_hashes, x.version);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_record& x) {
  return f(caf::meta::type_name("session_record"), x.id, x.user_id, x.device, x.address,
           x.created_at, x.last_used_at, x.expires_at);
}

}  // namespace plexichat::storage

namespace plexichat::actors {

/// A login: credentials, the optional second-factor code, and where it comes from (the
/// session's device = User-Agent and address = client IP).
struct login_request {
  std::string username;
  std::string password;
  std::string otp;
  std::string device;
  std::string address;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_request& x) {
  return f(caf::meta::type_name("login_request"), x.username, x.password, x.otp, x.device,
           x.address);
}

/// A started TOTP enrolment: the key in base32, its otpauth:// URI and that URI as a QR code
/// (SVG text).
struct totp_enrolment {
  std::string secret;
  std::string otpauth_uri;
  std::string qr_svg;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, totp_enrolment& x) {
  return f(caf::meta::type_name("totp_enrolment"), x.secret, x.otpauth_uri, x.qr_svg);
}

/// A user's second-factor state as the user may see it.
struct mfa_status {
  bool totp_enabled = false;
  uint32_t backup_codes_left = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mfa_status& x) {
  return f(caf::meta::type_name("mfa_status"), x.totp_enabled, x.backup_codes_left);
}

/// A password change: who, the session making it (kept), the old and the new password.
struct password_change {
  std::string user_id;
  std::string keep_session_id;
  std::string old_password;
  std::string new_password;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, password_change& x) {
  return f(caf::meta::type_name("password_change"), x.user_id, x.keep_session_id, x.old_password,
           x.new_password);
}

}  // namespace plexichat::actors
