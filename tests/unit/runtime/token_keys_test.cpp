#include "runtime/token_keys.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "runtime/crypto.hpp"
#include "runtime/token.hpp"

namespace plexichat::runtime {
namespace {

constexpr int64_t kNow = 1'700'000'000;

token_claims claims_of(const std::string& issuer) {
  return {"u1", "alice", random_id("t"), issuer, kNow, kNow + 3600};
}

TEST(TokenKeysTest, SetFindAndReplace) {
  token_keys keys;
  auto a = generate_signing_key();
  auto b = generate_signing_key();
  EXPECT_FALSE(keys.find("n1"));
  EXPECT_TRUE(keys.set("n1", a.public_key));
  EXPECT_FALSE(keys.set("n1", a.public_key)) << "the same key again is no change";
  EXPECT_EQ(keys.find("n1"), a.public_key);
  EXPECT_TRUE(keys.set("n1", b.public_key)) << "a new key replaces the old one";
  EXPECT_EQ(keys.find("n1"), b.public_key);
  EXPECT_FALSE(keys.find("n2"));
  EXPECT_EQ(keys.all().size(), 1u);
}

TEST(TokenKeysTest, EncodingRoundTrips) {
  std::map<std::string, std::string> keys{{"n1", generate_signing_key().public_key},
                                          {"n2", generate_signing_key().public_key}};
  auto text = encode_token_keys(keys);
  EXPECT_EQ(decode_token_keys(text), keys);
  EXPECT_EQ(decode_token_keys("{}"), (std::map<std::string, std::string>{}));
}

TEST(TokenKeysTest, DecodingRefusesAnythingElse) {
  EXPECT_FALSE(decode_token_keys(""));
  EXPECT_FALSE(decode_token_keys("[]"));
  EXPECT_FALSE(decode_token_keys(R"({"n1": 3})"));
  EXPECT_FALSE(decode_token_keys(R"({"n1": "not base64!"})"));
  EXPECT_FALSE(decode_token_keys(R"({"n1": ")" + base64url_encode("short") + "\"}"));
}

class IssuerVerifyTest : public ::testing::Test {
 protected:
  IssuerVerifyTest() : a_(generate_signing_key()), b_(generate_signing_key()) {
    keys_.set("node-a", a_.public_key);
    keys_.set("node-b", b_.public_key);
  }
  std::variant<token_claims, token_error> verify(const std::string& token) const {
    return verify_token_of_issuer(token, kNow,
                                  [this](std::string_view iss) { return keys_.find(iss); });
  }
  token_error error_of(const std::string& token) const {
    auto r = verify(token);
    EXPECT_TRUE(std::holds_alternative<token_error>(r));
    return std::holds_alternative<token_error>(r) ? std::get<token_error>(r)
                                                  : token_error::malformed;
  }

  signing_key a_, b_;
  token_keys keys_;
};

TEST_F(IssuerVerifyTest, EachNodesTokensVerifyWithItsKey) {
  auto ca = claims_of("node-a");
  auto cb = claims_of("node-b");
  auto ra = verify(token_signer{a_}.issue(ca));
  auto rb = verify(token_signer{b_}.issue(cb));
  ASSERT_TRUE(std::holds_alternative<token_claims>(ra));
  ASSERT_TRUE(std::holds_alternative<token_claims>(rb));
  EXPECT_EQ(std::get<token_claims>(ra), ca);
  EXPECT_EQ(std::get<token_claims>(rb), cb);
}

TEST_F(IssuerVerifyTest, UnknownIssuerIsRefused) {
  auto c = generate_signing_key();
  EXPECT_EQ(error_of(token_signer{c}.issue(claims_of("node-c"))), token_error::unknown_issuer);
}

TEST_F(IssuerVerifyTest, ATokenNamingAnotherIssuerThanItsSignerIsRefused) {
  // Signed by node-b's key but claiming node-a: checked with node-a's key, so it fails.
  EXPECT_EQ(error_of(token_signer{b_}.issue(claims_of("node-a"))), token_error::bad_signature);
  auto c = generate_signing_key();
  EXPECT_EQ(error_of(token_signer{c}.issue(claims_of("node-b"))), token_error::bad_signature);
}

TEST_F(IssuerVerifyTest, BadStructureAndExpiryAreReportedAsBefore) {
  EXPECT_EQ(error_of("not a token"), token_error::malformed);
  EXPECT_EQ(error_of(std::string(max_token_size + 1, 'a')), token_error::malformed);
  auto none =
      base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(R"({"iss":"node-a"})") + ".";
  EXPECT_EQ(error_of(none), token_error::bad_algorithm);
  auto no_iss = base64url_encode(R"({"alg":"EdDSA"})") + "." + base64url_encode(R"({"sub":"u"})") +
                "." + base64url_encode("sig");
  EXPECT_EQ(error_of(no_iss), token_error::malformed);
  auto old = claims_of("node-a");
  old.issued_at = kNow - 7200;
  old.expires_at = kNow - 3600;
  EXPECT_EQ(error_of(token_signer{a_}.issue(old)), token_error::expired);
}

}  // namespace
}  // namespace plexichat::runtime
