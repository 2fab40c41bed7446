// The directory's second-factor messages: enrol, confirm, disable, status.

#include <spdlog/spdlog.h>

#include "actors/directory/directory_state.hpp"
#include "actors/directory/mfa_state.hpp"
#include "actors/directory/qr_svg.hpp"
#include "actors/directory/totp.hpp"
#include "actors/message_types.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::directory {

namespace {

/// Writes the user's changed record as its next version (the cached one, which `record`
/// is), on this node and its peers, then answers `answer`. A record without a secret stays
/// stored, as the tombstone of the enrolment it ends.
template <class T>
void store_mfa(directory_actor* self, caf::typed_response_promise<T> rp,
               storage::mfa_record& record, T answer) {
  ++record.version;
  storage::write_batch batch;
  batch.put_mfa(record);
  account_state change{record.user_id};
  change.mfa = {record};
  commit_account(self, std::move(batch), std::move(change), {}, [rp, answer](bool ok) mutable {
    if (!ok) {
      rp.deliver(unconfirmed_account_write());
      return;
    }
    rp.deliver(answer);
  });
}

/// Replaces the user's record with `fresh`, keeping the version it has reached.
void replace_mfa(storage::mfa_record& record, storage::mfa_record fresh) {
  fresh.version = record.version;
  record = std::move(fresh);
}

caf::error already_enabled() {
  return make_error(api_errc::conflict, "two-factor authentication is already enabled");
}

}  // namespace

caf::result<totp_enrolment> do_enroll(directory_actor* self, std::string user_id,
                                      std::string username) {
  auto rp = self->make_response_promise<totp_enrolment>();
  with_mfa(
      self, user_id,
      [self, rp, user_id, username](storage::mfa_record& mfa) mutable {
        if (totp_enabled(mfa)) {
          rp.deliver(already_enabled());
          return;
        }
        replace_mfa(mfa, new_enrolment(user_id));
        totp_enrolment e;
        e.secret = base32_encode(mfa.totp_secret);
        e.otpauth_uri = otpauth_uri(username, e.secret);
        e.qr_svg = qr_svg(e.otpauth_uri);
        store_mfa(self, rp, mfa, std::move(e));
      },
      fail_with(rp));
  return rp;
}

caf::result<std::vector<std::string>> do_confirm(directory_actor* self, std::string user_id,
                                                 std::string code) {
  auto rp = self->make_response_promise<std::vector<std::string>>();
  with_mfa(
      self, user_id,
      [self, rp, user_id, code](storage::mfa_record& mfa) mutable {
        if (totp_enabled(mfa)) {
          rp.deliver(already_enabled());
          return;
        }
        if (mfa.totp_secret.empty()) {
          rp.deliver(make_error(api_errc::conflict, "no enrolment to confirm: enroll first"));
          return;
        }
        auto codes = confirm_enrolment(mfa, code, runtime::now_seconds());
        if (codes.empty()) {
          rp.deliver(make_error(api_errc::forbidden, "wrong code"));
          return;
        }
        spdlog::info("user {} turned on two-factor authentication", user_id);
        store_mfa(self, rp, mfa, std::move(codes));
      },
      fail_with(rp));
  return rp;
}

namespace {

/// After a right password: checks the code and turns the second factor off.
void disable_with_code(directory_actor* self, caf::typed_response_promise<bool> rp,
                       const std::string& user_id, const std::string& code) {
  with_mfa(
      self, user_id,
      [self, rp, user_id, code](storage::mfa_record& mfa) mutable {
        if (!totp_enabled(mfa)) {
          rp.deliver(make_error(api_errc::conflict, "two-factor authentication is not enabled"));
          return;
        }
        if (check_factor(mfa, code, runtime::now_seconds()) == factor_result::invalid) {
          rp.deliver(make_error(api_errc::forbidden, "wrong or already used code"));
          return;
        }
        replace_mfa(mfa, storage::mfa_record{user_id, {}, false, -1, {}, {}, 0});
        spdlog::info("user {} turned off two-factor authentication", user_id);
        store_mfa(self, rp, mfa, true);
      },
      fail_with(rp));
}

}  // namespace

caf::result<bool> do_disable(directory_actor* self, std::string user_id, std::string password,
                             std::string code) {
  auto rp = self->make_response_promise<bool>();
  find_current(
      self, user_id,
      [self, rp, user_id, password, code](auto u) mutable {
        if (!u) {
          rp.deliver(make_error(api_errc::not_found, "no such user"));
          return;
        }
        run_blocking(
            self, self->state.ctx->blocking,
            [hash = u->password_hash, password] {
              return runtime::verify_password(hash, password);
            },
            [self, rp, user_id, code](bool ok) mutable {
              if (!ok) {
                rp.deliver(make_error(api_errc::forbidden, "wrong password"));
                return;
              }
              disable_with_code(self, rp, user_id, code);
            },
            fail_with(rp));
      },
      fail_with(rp));
  return rp;
}

caf::result<mfa_status> do_mfa_status(directory_actor* self, std::string user_id) {
  auto rp = self->make_response_promise<mfa_status>();
  with_mfa(
      self, user_id,
      [rp](storage::mfa_record& mfa) mutable {
        bool on = totp_enabled(mfa);
        rp.deliver(mfa_status{on, on ? static_cast<uint32_t>(mfa.backup_hashes.size()) : 0u});
      },
      fail_with(rp));
  return rp;
}

}  // namespace plexichat::actors::directory
