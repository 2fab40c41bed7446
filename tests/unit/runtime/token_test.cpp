#include "runtime/token.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "runtime/crypto.hpp"

namespace plexichat::runtime {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kClaims =
    R"({"sub":"u1","name":"alice","jti":"t1","iss":"n","iat":1700000000,"exp":1700003600})";

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts(1);
  for (const char c : token) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

class TokenTest : public ::testing::Test {
 protected:
  TokenTest() : key_(generate_signing_key()), signer_(key_) {
    claims_ = {"u4k2jz", "alice", random_id("t"), "node-a", kNow, kNow + 3600};
  }

  // A token with the given header and payload text, correctly signed by key_.
  std::string signed_token(std::string_view header, std::string_view payload) const {
    const std::string part = base64url_encode(header) + "." + base64url_encode(payload);
    return part + "." + base64url_encode(sign_detached(part, key_));
  }
  std::string signed_payload(std::string_view payload) const {
    return signed_token(R"({"alg":"EdDSA","typ":"JWT"})", payload);
  }
  token_error error_of(std::string_view token, int64_t now = kNow) const {
    const auto result = signer_.verify(token, now);
    EXPECT_TRUE(std::holds_alternative<token_error>(result)) << token;
    return std::holds_alternative<token_error>(result) ? std::get<token_error>(result)
                                                       : token_error::malformed;
  }
  void expect_accepted(std::string_view token, int64_t now = kNow) const {
    const auto result = signer_.verify(token, now);
    ASSERT_TRUE(std::holds_alternative<token_claims>(result))
        << to_string(std::get<token_error>(result));
  }

  signing_key key_;
  token_signer signer_;
  token_claims claims_;
};

TEST_F(TokenTest, RoundTrips) {
  const std::string token = signer_.issue(claims_);
  const auto result = signer_.verify(token, kNow);
  ASSERT_TRUE(std::holds_alternative<token_claims>(result));
  EXPECT_EQ(std::get<token_claims>(result), claims_);
  EXPECT_EQ(token.find_first_of("+/= "), std::string::npos);
  EXPECT_EQ(signer_.public_key(), key_.public_key);
}

TEST_F(TokenTest, IssuesTheRfc8037HeaderAndClaimNames) {
  const auto parts = split(signer_.issue(claims_));
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(base64url_decode(parts[0]), R"({"alg":"EdDSA","typ":"JWT"})");
  const std::string payload = base64url_decode(parts[1]).value();
  for (const char* name : {"\"sub\":\"u4k2jz\"", "\"name\":\"alice\"", "\"iss\":\"node-a\"",
                           "\"iat\":1700000000", "\"exp\":1700003600", "\"jti\":\"t"}) {
    EXPECT_NE(payload.find(name), std::string::npos) << payload;
  }
  EXPECT_EQ(base64url_decode(parts[2])->size(), 64U);
}

TEST_F(TokenTest, CarriesUnicodeAndRepairsInvalidUtf8) {
  claims_.username = "Zo\xC3\xAB \xF0\x9F\x98\x80";
  const auto ok = signer_.verify(signer_.issue(claims_), kNow);
  ASSERT_TRUE(std::holds_alternative<token_claims>(ok));
  EXPECT_EQ(std::get<token_claims>(ok).username, claims_.username);
  claims_.username = "bad\xFF";
  const auto repaired = signer_.verify(signer_.issue(claims_), kNow);
  ASSERT_TRUE(std::holds_alternative<token_claims>(repaired));
  EXPECT_EQ(std::get<token_claims>(repaired).username, "bad\xEF\xBF\xBD");
}

TEST_F(TokenTest, EveryFlippedSignatureByteIsABadSignature) {
  const auto parts = split(signer_.issue(claims_));
  const std::string signature = base64url_decode(parts[2]).value();
  for (std::size_t i = 0; i < signature.size(); ++i) {
    std::string flipped = signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    const std::string token = parts[0] + "." + parts[1] + "." + base64url_encode(flipped);
    EXPECT_EQ(error_of(token), token_error::bad_signature) << "byte " << i;
  }
  const std::string prefix = parts[0] + "." + parts[1] + ".";
  EXPECT_EQ(error_of(prefix + base64url_encode(signature.substr(0, 63))),
            token_error::bad_signature);
  EXPECT_EQ(error_of(prefix), token_error::bad_signature);
}

TEST_F(TokenTest, AlteredPayloadOrOtherKeyIsABadSignature) {
  const auto parts = split(signer_.issue(claims_));
  token_claims other = claims_;
  other.user_id = "uadmin";
  const auto forged = split(signer_.issue(other));
  EXPECT_EQ(error_of(parts[0] + "." + forged[1] + "." + parts[2]), token_error::bad_signature);
  const token_signer stranger(generate_signing_key());
  EXPECT_EQ(error_of(stranger.issue(claims_)), token_error::bad_signature);
  // The same header written differently is a different signed text.
  const std::string respaced = base64url_encode(R"({"alg":"EdDSA", "typ":"JWT"})");
  EXPECT_EQ(error_of(respaced + "." + parts[1] + "." + parts[2]), token_error::bad_signature);
}

TEST_F(TokenTest, RefusesOtherAlgorithms) {
  const auto parts = split(signer_.issue(claims_));
  const std::string rest = "." + parts[1] + ".";
  EXPECT_EQ(error_of(base64url_encode(R"({"alg":"none","typ":"JWT"})") + rest),
            token_error::bad_algorithm);
  EXPECT_EQ(error_of(base64url_encode(R"({"alg":"none"})") + rest + parts[2]),
            token_error::bad_algorithm);
  EXPECT_EQ(error_of(base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + rest + parts[2]),
            token_error::bad_algorithm);
  // Correctly signed with our key, but claiming another algorithm: still refused.
  for (const char* header :
       {R"({"alg":"HS256"})", R"({"alg":"eddsa"})", R"({"alg":"Ed25519"})", R"({"typ":"JWT"})",
        R"({"alg":null})", R"({"alg":["EdDSA"]})", R"({})"}) {
    EXPECT_EQ(error_of(signed_token(header, "{}")), token_error::bad_algorithm) << header;
  }
}

TEST_F(TokenTest, RefusesExpiredAndFutureTokens) {
  const std::string token = signer_.issue(claims_);
  expect_accepted(token, kNow + 3599);
  EXPECT_EQ(error_of(token, kNow + 3600), token_error::expired);
  EXPECT_EQ(error_of(token, kNow + 100000), token_error::expired);
  expect_accepted(token, kNow - token_clock_skew_seconds);
  EXPECT_EQ(error_of(token, kNow - token_clock_skew_seconds - 1), token_error::not_yet_valid);
}

TEST_F(TokenTest, ExtremeTimesDoNotOverflow) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  claims_.issued_at = kMax;
  claims_.expires_at = kMax;
  const std::string far = signer_.issue(claims_);
  expect_accepted(far, kMax - 10);
  EXPECT_EQ(error_of(far, kMax), token_error::expired);
  EXPECT_EQ(error_of(far, kMin), token_error::not_yet_valid);
  claims_.issued_at = kMin;
  claims_.expires_at = kMin;
  EXPECT_EQ(error_of(signer_.issue(claims_), kMin), token_error::expired);
}

TEST_F(TokenTest, WrongStructureIsMalformed) {
  const auto parts = split(signer_.issue(claims_));
  const std::string good = parts[0] + "." + parts[1] + "." + parts[2];
  for (const std::string& token :
       {std::string{}, std::string{"."}, std::string{".."}, std::string{"..."}, parts[0],
        parts[0] + "." + parts[1], good + ".", good + "." + parts[2], "." + good,
        parts[0] + ".." + parts[2], "*" + good, parts[0] + "=." + parts[1] + "." + parts[2],
        parts[0] + "." + parts[1] + "=." + parts[2], good + "=", good + " ",
        parts[0] + "." + parts[1] + "+." + parts[2], parts[0] + ".x." + parts[2]}) {
    EXPECT_EQ(error_of(token), token_error::malformed) << token;
  }
}

TEST_F(TokenTest, HeaderThatIsNotAPlainObjectIsMalformed) {
  for (const char* header :
       {"", "not json", R"(["EdDSA"])", R"("EdDSA")", "42", "null", R"({"alg":"EdDSA")",
        R"({"alg":"EdDSA","crit":["exp"]})", "{\"alg\":\"EdDSA\",\"x\":\"\xFF\"}"}) {
    EXPECT_EQ(error_of(signed_token(header, kClaims)), token_error::malformed) << header;
  }
  expect_accepted(signed_token(R"({"alg":"EdDSA","kid":"k1"})", kClaims));
}

TEST_F(TokenTest, PayloadThatIsNotAnObjectIsMalformed) {
  for (const char* payload : {"", "[]", "\"alice\"", "17", "null", "{", "{\"sub\":\"u1\",}"}) {
    EXPECT_EQ(error_of(signed_payload(payload)), token_error::malformed) << payload;
  }
}

TEST_F(TokenTest, ClaimsOfTheWrongTypeAreMalformed) {
  const std::string base = R"("sub":"u1","name":"alice","jti":"t1","iss":"n","iat":1700000000)";
  expect_accepted(signed_payload("{" + base + R"(,"exp":1700003600})"));
  for (const char* bad_exp : {R"("1700003600")", "1700003600.0", "1.7e9", "true", "null",
                              "[1700003600]", "9223372036854775808"}) {
    EXPECT_EQ(error_of(signed_payload("{" + base + ",\"exp\":" + bad_exp + "}")),
              token_error::malformed)
        << bad_exp;
  }
  const std::string good(kClaims);
  for (const char* name : {"sub", "name", "jti", "iss", "iat", "exp"}) {
    const std::string key = std::string("\"") + name + "\":";
    const auto at = good.find(key) + key.size();
    const auto end = good.find_first_of(",}", at);
    const bool is_time = std::string_view(name) == "iat" || std::string_view(name) == "exp";
    const std::string other_type =
        good.substr(0, at) + (is_time ? "\"12\"" : "12") + good.substr(end);
    const std::string as_object = good.substr(0, at) + "{}" + good.substr(end);
    const std::string missing = good.substr(0, good.find(key)) + "\"x" + good.substr(at - 2);
    EXPECT_EQ(error_of(signed_payload(other_type)), token_error::malformed) << other_type;
    EXPECT_EQ(error_of(signed_payload(as_object)), token_error::malformed) << as_object;
    EXPECT_EQ(error_of(signed_payload(missing)), token_error::malformed) << missing;
  }
  EXPECT_EQ(error_of(signed_payload(
                R"({"sub":"","name":"a","jti":"t1","iss":"n","iat":1,"exp":1700003600})")),
            token_error::malformed);
  EXPECT_EQ(error_of(signed_payload(
                R"({"sub":"u1","name":"a","jti":"","iss":"n","iat":1,"exp":1700003600})")),
            token_error::malformed);
}

TEST_F(TokenTest, OversizeTokensAreMalformed) {
  std::string last_fitting;
  std::string first_too_long;
  for (std::size_t n = 2800; first_too_long.empty(); ++n) {
    claims_.username = std::string(n, 'a');
    std::string token = signer_.issue(claims_);
    (token.size() <= max_token_size ? last_fitting : first_too_long) = std::move(token);
  }
  ASSERT_GT(last_fitting.size(), max_token_size - 4);
  expect_accepted(last_fitting);
  EXPECT_EQ(error_of(first_too_long), token_error::malformed);
  EXPECT_EQ(error_of(std::string(1 << 20, 'a')), token_error::malformed);
}

TEST_F(TokenTest, NamesItsErrors) {
  EXPECT_EQ(to_string(token_error::malformed), "malformed");
  EXPECT_EQ(to_string(token_error::bad_algorithm), "bad_algorithm");
  EXPECT_EQ(to_string(token_error::bad_signature), "bad_signature");
  EXPECT_EQ(to_string(token_error::expired), "expired");
  EXPECT_EQ(to_string(token_error::not_yet_valid), "not_yet_valid");
  EXPECT_EQ(to_string(token_error::unknown_issuer), "unknown_issuer");
}

// A token made by another implementation (Python "cryptography", i.e. OpenSSL) with the
// RFC 8037 A.1 key; its header puts "typ" first.
TEST(TokenInterop, VerifiesAnIndependentlyMadeToken) {
  const std::string seed = base64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").value();
  const token_signer signer(signing_key_from_seed(seed).value());
  const std::string token =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJFZERTQSJ9."
      "eyJzdWIiOiJ1N3hxMmsiLCJuYW1lIjoiYWxpY2UiLCJqdGkiOiJ0YWJjIiwiaXNzIjoibm9kZS1hIiwiaWF0Ijox"
      "NzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDB9."
      "bPlcelrSPWDXFFEsWV84hZkg7zUn5joAlAkDd4OB1SWKYFlbThOPvDkkVIjixKXBGVswbE3xizqGqQgiMzqoAw";
  const auto result = signer.verify(token, kNow + 100);
  ASSERT_TRUE(std::holds_alternative<token_claims>(result));
  EXPECT_EQ(std::get<token_claims>(result),
            (token_claims{"u7xq2k", "alice", "tabc", "node-a", kNow, kNow + 3600}));
  EXPECT_EQ(std::get<token_error>(signer.verify(token, kNow + 3600)), token_error::expired);
}

// RFC 8037 A.4: a valid EdDSA JWS whose payload is text, not claims. It gets past the
// algorithm and signature checks and only then fails as malformed.
TEST(TokenInterop, Rfc8037ExampleFailsOnlyOnItsPayload) {
  const std::string seed = base64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").value();
  const token_signer signer(signing_key_from_seed(seed).value());
  const std::string signed_part = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
  const std::string signature =
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  EXPECT_EQ(std::get<token_error>(signer.verify(signed_part + "." + signature, kNow)),
            token_error::malformed);
  std::string tampered = signature;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(std::get<token_error>(signer.verify(signed_part + "." + tampered, kNow)),
            token_error::bad_signature);
}

}  // namespace
}  // namespace plexichat::runtime
