#include "actors/directory/mfa_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "actors/directory/qr_svg.hpp"
#include "actors/directory/totp.hpp"

// The second-factor rules with a chosen clock.
namespace plexichat::actors::directory {
namespace {

constexpr int64_t kNow = 1'700'000'000;

std::string code_at(const storage::mfa_record& r, int64_t seconds) {
  return totp_code(r.totp_secret, totp_step(seconds));
}

storage::mfa_record enabled_record(std::vector<std::string>* codes = nullptr) {
  auto r = new_enrolment("u1");
  auto backup = confirm_enrolment(r, code_at(r, kNow - 60), kNow - 60);
  EXPECT_EQ(backup.size(), backup_code_count);
  if (codes != nullptr) {
    *codes = backup;
  }
  return r;
}

TEST(mfa_state, enrolment_is_off_until_confirmed) {
  auto r = new_enrolment("u1");
  EXPECT_EQ(r.user_id, "u1");
  EXPECT_EQ(r.totp_secret.size(), totp_secret_bytes);
  EXPECT_FALSE(totp_enabled(r));
  EXPECT_TRUE(r.backup_hashes.empty());
  EXPECT_NE(new_enrolment("u1").totp_secret, r.totp_secret);
}

TEST(mfa_state, a_wrong_code_does_not_confirm) {
  auto r = new_enrolment("u1");
  auto before = r;
  std::string wrong = "000000";
  while (wrong == code_at(r, kNow) || wrong == code_at(r, kNow - 30)) {
    ++wrong[0];
  }
  EXPECT_TRUE(confirm_enrolment(r, wrong, kNow).empty());
  EXPECT_TRUE(confirm_enrolment(r, code_at(r, kNow - 90), kNow).empty());
  EXPECT_EQ(r, before);
}

TEST(mfa_state, confirming_enables_and_hands_out_hashed_backup_codes) {
  auto r = new_enrolment("u1");
  auto codes = confirm_enrolment(r, code_at(r, kNow), kNow);
  ASSERT_EQ(codes.size(), backup_code_count);
  EXPECT_TRUE(totp_enabled(r));
  EXPECT_EQ(r.last_step, totp_step(kNow));
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), codes.size());
  ASSERT_EQ(r.backup_hashes.size(), codes.size());
  for (const auto& c : codes) {
    EXPECT_EQ(c.size(), backup_code_chars);
    EXPECT_TRUE(std::all_of(c.begin(), c.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7');
    })) << c;
    for (const auto& h : r.backup_hashes) {
      EXPECT_EQ(h.find(c), std::string::npos) << "a code is stored in clear";
    }
  }
  EXPECT_TRUE(confirm_enrolment(r, code_at(r, kNow + 30), kNow + 30).empty())
      << "an enabled record is not confirmed again";
}

TEST(mfa_state, a_totp_code_is_accepted_once) {
  auto r = enabled_record();
  auto code = code_at(r, kNow);
  EXPECT_EQ(check_factor(r, code, kNow), factor_result::totp);
  EXPECT_EQ(r.last_step, totp_step(kNow));
  EXPECT_EQ(check_factor(r, code, kNow), factor_result::invalid);
  EXPECT_EQ(check_factor(r, code, kNow + 29), factor_result::invalid);
  EXPECT_EQ(check_factor(r, code_at(r, kNow + 30), kNow + 30), factor_result::totp);
}

TEST(mfa_state, window_is_the_current_step_and_one_back) {
  auto r = enabled_record();
  EXPECT_EQ(check_factor(r, code_at(r, kNow - 60), kNow), factor_result::invalid);
  EXPECT_EQ(check_factor(r, code_at(r, kNow + 30), kNow), factor_result::invalid);
  EXPECT_EQ(check_factor(r, code_at(r, kNow - 30), kNow), factor_result::totp);
}

TEST(mfa_state, backup_codes_work_once_each) {
  std::vector<std::string> codes;
  auto r = enabled_record(&codes);
  EXPECT_EQ(check_factor(r, codes[0], kNow), factor_result::backup_code);
  EXPECT_EQ(r.backup_hashes.size(), backup_code_count - 1);
  EXPECT_EQ(check_factor(r, codes[0], kNow), factor_result::invalid);
  EXPECT_EQ(r.backup_hashes.size(), backup_code_count - 1);
  // Case, spaces and dashes do not matter.
  std::string lower = codes[1];
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  lower.insert(5, "-");
  EXPECT_EQ(check_factor(r, lower, kNow), factor_result::backup_code);
  EXPECT_EQ(check_factor(r, "AAAAAAAAAA", kNow), factor_result::invalid);
  EXPECT_EQ(r.backup_hashes.size(), backup_code_count - 2);
}

TEST(mfa_state, nothing_is_accepted_without_an_enabled_factor) {
  auto r = new_enrolment("u1");
  EXPECT_EQ(check_factor(r, code_at(r, kNow), kNow), factor_result::invalid);
  storage::mfa_record none{"u1", {}, false, -1, {}, {}};
  EXPECT_EQ(check_factor(none, "123456", kNow), factor_result::invalid);
}

TEST(mfa_state, new_backup_codes_replace_the_old_ones) {
  std::vector<std::string> old_codes;
  auto r = enabled_record(&old_codes);
  auto fresh = issue_backup_codes(r);
  EXPECT_EQ(check_factor(r, old_codes[0], kNow), factor_result::invalid);
  EXPECT_EQ(check_factor(r, fresh[0], kNow), factor_result::backup_code);
}

TEST(qr_svg, draws_a_qr_code_as_svg) {
  auto svg = qr_svg(otpauth_uri("alice", base32_encode(std::string(20, 'x'))));
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 "), std::string::npos);
  EXPECT_NE(svg.find("h1v1h-1z"), std::string::npos) << "no dark module";
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_TRUE(qr_svg(std::string(8000, 'a')).empty()) << "too long for any QR code";
}

}  // namespace
}  // namespace plexichat::actors::directory
