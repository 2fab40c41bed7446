#include "runtime/crypto.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace plexichat::runtime {
namespace {

using namespace std::string_literals;

std::string decoded(std::string_view text) {
  auto bytes = base64url_decode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or("");
}

TEST(CryptoInit, IsIdempotent) {
  EXPECT_TRUE(crypto_init());
  EXPECT_TRUE(crypto_init());
}

TEST(CryptoBase64url, EncodesRfc4648Vectors) {
  // RFC 4648 §10, without the padding that §5 lets the url-safe form drop.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  // Values 62 and 63 are '-' and '_' in the url-safe alphabet (not '+' and '/').
  EXPECT_EQ(base64url_encode("\xFB\xFF"), "-_8");
  EXPECT_EQ(base64url_encode("\xFF\xFF\xFF"), "____");
  EXPECT_EQ(base64url_encode("\0\0\0"s), "AAAA");
}

TEST(CryptoBase64url, DecodesRfc4648Vectors) {
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("Zg"), "f");
  EXPECT_EQ(decoded("Zm8"), "fo");
  EXPECT_EQ(decoded("Zm9v"), "foo");
  EXPECT_EQ(decoded("Zm9vYg"), "foob");
  EXPECT_EQ(decoded("Zm9vYmE"), "fooba");
  EXPECT_EQ(decoded("Zm9vYmFy"), "foobar");
  EXPECT_EQ(decoded("-_8"), "\xFB\xFF");
}

TEST(CryptoBase64url, RejectsPaddingAndForeignCharacters) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("+_8"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("-/8"));
  EXPECT_FALSE(base64url_decode("Zm9v Yg"));
  EXPECT_FALSE(base64url_decode(" Zg"));
  EXPECT_FALSE(base64url_decode("Zg\n"));
  EXPECT_FALSE(base64url_decode("Zm\0v"s));
  EXPECT_FALSE(base64url_decode("Zm9v."));
  EXPECT_FALSE(base64url_decode("Zm9v\xC3\xA9"));
}

TEST(CryptoBase64url, RejectsImpossibleLengthsAndLooseTrailingBits) {
  EXPECT_FALSE(base64url_decode("Z"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));
  EXPECT_FALSE(base64url_decode("Zh"));   // "Zg" with a stray low bit
  EXPECT_FALSE(base64url_decode("Zm9"));  // "Zm8" with a stray low bit
  EXPECT_FALSE(base64url_decode("-_9"));
}

TEST(CryptoBase64url, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 100; ++n) {
    const std::string bytes = random_bytes(n);
    const std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(text), bytes);
  }
}

TEST(CryptoHex, EncodesLowercase) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex("\x00\xFF\x10\xAB"s), "00ff10ab");
  EXPECT_EQ(to_hex("foo"), "666f6f");
}

TEST(CryptoRandom, GivesTheSizeAskedForAndDiffers) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(1000).size(), 1000U);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(CryptoRandom, IdsHaveTheirShapeAndAreUnique) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::set<std::string> ids;
  std::set<char> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = random_id("u");
    ASSERT_EQ(id.size(), 21U) << id;
    ASSERT_EQ(id[0], 'u');
    for (const char c : id.substr(1)) {
      ASSERT_NE(kAlphabet.find(c), std::string_view::npos) << id;
      seen.insert(c);
    }
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 10000U);
  // 200k characters: every one of the 32 letters shows up unless the encoding is skewed.
  EXPECT_EQ(seen.size(), 32U);
  EXPECT_EQ(random_id("").size(), 20U);
  EXPECT_EQ(random_id("ch_").substr(0, 3), "ch_");
}

TEST(CryptoRandom, IdsFromManyThreadsAreDistinct) {
  // Each thread draws from its own buffer of kernel randomness: no two may share bytes.
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& ids : made) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 2000; ++i) {
        ids.push_back(random_id("m"));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::set<std::string> all;
  for (const auto& ids : made) {
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), 8000U);
}

TEST(CryptoPassword, ParsesCostNames) {
  EXPECT_EQ(parse_pwhash_cost("min"), pwhash_cost::min);
  EXPECT_EQ(parse_pwhash_cost("interactive"), pwhash_cost::interactive);
  EXPECT_EQ(parse_pwhash_cost("moderate"), pwhash_cost::moderate);
  EXPECT_EQ(parse_pwhash_cost("sensitive"), pwhash_cost::sensitive);
  EXPECT_FALSE(parse_pwhash_cost(""));
  EXPECT_FALSE(parse_pwhash_cost("Interactive"));
  EXPECT_FALSE(parse_pwhash_cost("max"));
  for (auto cost : {pwhash_cost::min, pwhash_cost::interactive, pwhash_cost::moderate,
                    pwhash_cost::sensitive}) {
    EXPECT_EQ(parse_pwhash_cost(to_string(cost)), cost);
  }
}

TEST(CryptoPassword, HashesAndVerifies) {
  const auto hash = hash_password("correct horse battery staple", pwhash_cost::min);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0U) << *hash;
  EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(*hash, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, ""));
  // A fresh salt each time.
  EXPECT_NE(hash_password("correct horse battery staple", pwhash_cost::min), hash);
}

TEST(CryptoPassword, HandlesEmptyAndBinaryPasswords) {
  const auto empty = hash_password("", pwhash_cost::min);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(verify_password(*empty, ""));
  EXPECT_FALSE(verify_password(*empty, "\0"s));
  const auto binary = hash_password("pass\0word"s, pwhash_cost::min);
  ASSERT_TRUE(binary);
  EXPECT_TRUE(verify_password(*binary, "pass\0word"s));
  EXPECT_FALSE(verify_password(*binary, "pass"));
}

TEST(CryptoPassword, InteractiveCostIsArgon2id) {
  const auto hash = hash_password("hunter22", pwhash_cost::interactive);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0U) << *hash;
  EXPECT_TRUE(verify_password(*hash, "hunter22"));
  EXPECT_FALSE(verify_password(*hash, "hunter23"));
}

TEST(CryptoPassword, MalformedHashesDoNotVerify) {
  const std::string hash = hash_password("password1", pwhash_cost::min).value();
  EXPECT_FALSE(verify_password("", "password1"));
  EXPECT_FALSE(verify_password("password1", "password1"));
  EXPECT_FALSE(verify_password("$argon2id$", "password1"));
  EXPECT_FALSE(verify_password(hash.substr(0, hash.size() - 5), "password1"));
  EXPECT_FALSE(verify_password(hash + "\0"s + "x", "password1"));
  EXPECT_FALSE(verify_password(hash + std::string(200, 'A'), "password1"));
  std::string altered = hash;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(altered, "password1"));
  std::string other_algorithm = hash;
  other_algorithm.replace(0, 9, "$argon2x");
  EXPECT_FALSE(verify_password(other_algorithm, "password1"));
}

TEST(CryptoCompare, IsEqualityWithLengths) {
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_TRUE(equal_constant_time("a\0c"s, "a\0c"s));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "Abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_FALSE(equal_constant_time("", "a"));
}

TEST(CryptoSigning, RoundTripsAndDetectsFlippedBits) {
  const signing_key key = generate_signing_key();
  ASSERT_EQ(key.public_key.size(), 32U);
  ASSERT_EQ(key.secret_key.size(), 64U);
  EXPECT_TRUE(is_well_formed(key));
  const std::string message = "channel c1 seq 42";
  const std::string signature = sign_detached(message, key);
  ASSERT_EQ(signature.size(), 64U);
  EXPECT_TRUE(verify_detached(signature, message, key.public_key));
  for (std::size_t i = 0; i < signature.size(); ++i) {
    std::string flipped = signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_FALSE(verify_detached(flipped, message, key.public_key)) << "byte " << i;
  }
  std::string other_message = message;
  other_message[0] = static_cast<char>(other_message[0] ^ 0x20);
  EXPECT_FALSE(verify_detached(signature, other_message, key.public_key));
  EXPECT_FALSE(verify_detached(signature, message, generate_signing_key().public_key));
}

TEST(CryptoSigning, RefusesWrongSizes) {
  const signing_key key = generate_signing_key();
  const std::string signature = sign_detached("m", key);
  EXPECT_FALSE(verify_detached(signature.substr(0, 63), "m", key.public_key));
  EXPECT_FALSE(verify_detached(signature + "x", "m", key.public_key));
  EXPECT_FALSE(verify_detached(signature, "m", key.public_key.substr(0, 31)));
  EXPECT_FALSE(verify_detached("", "m", ""));
  EXPECT_EQ(sign_detached("m", signing_key{key.public_key, key.secret_key.substr(0, 32)}), "");
  EXPECT_FALSE(signing_key_from_seed(std::string(31, 'x')));
  EXPECT_FALSE(signing_key_from_seed(std::string(33, 'x')));
}

TEST(CryptoSigning, WellFormedNeedsMatchingHalves) {
  const signing_key a = generate_signing_key();
  const signing_key b = generate_signing_key();
  EXPECT_FALSE(is_well_formed(signing_key{b.public_key, a.secret_key}));
  EXPECT_FALSE(
      is_well_formed(signing_key{a.public_key, a.secret_key.substr(0, 32) + b.public_key}));
  EXPECT_FALSE(is_well_formed(signing_key{}));
  EXPECT_FALSE(is_well_formed(signing_key{a.public_key, a.secret_key.substr(0, 63)}));
}

TEST(CryptoSigning, SeedKeysAreDeterministic) {
  const std::string seed(32, '\x42');
  const auto a = signing_key_from_seed(seed);
  const auto b = signing_key_from_seed(seed);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->public_key, b->public_key);
  EXPECT_EQ(a->secret_key, seed + a->public_key);
  EXPECT_TRUE(is_well_formed(*a));
}

// RFC 8037 Appendix A.1 (key) and A.4 (Ed25519 signature), produced independently.
TEST(CryptoSigning, MatchesRfc8037Vector) {
  const auto key = signing_key_from_seed(decoded("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->public_key, decoded("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
  const std::string message = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
  const std::string signature = decoded(
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
  EXPECT_TRUE(verify_detached(signature, message, key->public_key));
  // Ed25519 is deterministic: signing again gives the RFC's bytes.
  EXPECT_EQ(sign_detached(message, *key), signature);
  EXPECT_FALSE(verify_detached(signature, message + "x", key->public_key));
}

class CryptoKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "plexichat-key-XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "node.key").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_file(const std::string& bytes, mode_t mode) const {
    std::ofstream(path_, std::ios::binary) << bytes;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }
  std::string read_file() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  mode_t file_mode() const {
    struct stat st {};
    EXPECT_EQ(::stat(path_.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  // Loads, expects a refusal, and checks the message names the file.
  std::string refusal() const {
    const key_result result = load_or_create_signing_key(path_);
    EXPECT_FALSE(result.key);
    EXPECT_NE(result.error.find(path_), std::string::npos) << result.error;
    return result.error;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(CryptoKeyFile, CreatesOwnerOnlyFileWhateverTheUmask) {
  for (const mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
    std::filesystem::remove(path_);
    const mode_t old_mask = ::umask(mask);
    const key_result created = load_or_create_signing_key(path_);
    ::umask(old_mask);
    ASSERT_TRUE(created.key) << created.error;
    EXPECT_TRUE(created.error.empty());
    EXPECT_TRUE(is_well_formed(*created.key));
    EXPECT_EQ(file_mode(), 0600U) << "umask " << mask;
    EXPECT_EQ(read_file(), created.key->secret_key);
  }
}

TEST_F(CryptoKeyFile, ReloadsTheSameKey) {
  const key_result created = load_or_create_signing_key(path_);
  ASSERT_TRUE(created.key) << created.error;
  const key_result loaded = load_or_create_signing_key(path_);
  ASSERT_TRUE(loaded.key) << loaded.error;
  EXPECT_EQ(loaded.key->secret_key, created.key->secret_key);
  EXPECT_EQ(loaded.key->public_key, created.key->public_key);
  EXPECT_NE(load_or_create_signing_key((dir_ / "other.key").string()).key->public_key,
            created.key->public_key);
}

TEST_F(CryptoKeyFile, LoadsAKeyWrittenElsewhere) {
  const signing_key key = signing_key_from_seed(std::string(32, '\x07')).value();
  write_file(key.secret_key, 0600);
  const key_result loaded = load_or_create_signing_key(path_);
  ASSERT_TRUE(loaded.key) << loaded.error;
  EXPECT_EQ(loaded.key->public_key, key.public_key);
  EXPECT_EQ(file_mode(), 0600U);
  write_file(key.secret_key, 0400);  // read-only for the owner is fine too
  EXPECT_TRUE(load_or_create_signing_key(path_).key);
}

TEST_F(CryptoKeyFile, RefusesGroupOrOtherAccess) {
  const signing_key key = generate_signing_key();
  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0610}}) {
    write_file(key.secret_key, mode);
    const std::string error = refusal();
    EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
    // Never any key material in a message.
    EXPECT_EQ(error.find(to_hex(key.secret_key.substr(0, 8))), std::string::npos);
    EXPECT_EQ(error.find(base64url_encode(key.secret_key.substr(0, 9))), std::string::npos);
    EXPECT_EQ(error.find(key.secret_key.substr(0, 8)), std::string::npos);
    // Refused, not repaired behind the operator's back.
    EXPECT_EQ(file_mode(), mode);
    EXPECT_EQ(read_file(), key.secret_key);
  }
  write_file(key.secret_key, 0644);
  EXPECT_NE(refusal().find("0644"), std::string::npos);
}

TEST_F(CryptoKeyFile, RefusesWrongSizes) {
  const signing_key key = generate_signing_key();
  for (const std::string& bytes : {std::string{}, key.secret_key.substr(0, 32),
                                   key.secret_key.substr(0, 63), key.secret_key + "\n"}) {
    write_file(bytes, 0600);
    const std::string error = refusal();
    EXPECT_NE(error.find(std::to_string(bytes.size()) + " bytes"), std::string::npos) << error;
    EXPECT_EQ(read_file(), bytes);  // left as it was
  }
}

TEST_F(CryptoKeyFile, RefusesMismatchedPublicHalf) {
  const signing_key a = generate_signing_key();
  const signing_key b = generate_signing_key();
  write_file(a.secret_key.substr(0, 32) + b.public_key, 0600);
  EXPECT_NE(refusal().find("does not match"), std::string::npos);
}

TEST_F(CryptoKeyFile, RefusesWhatIsNotARegularFile) {
  std::filesystem::create_directory(path_);
  EXPECT_NE(refusal().find("not a regular file"), std::string::npos);
  std::filesystem::remove(path_);
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  EXPECT_NE(refusal().find("not a regular file"), std::string::npos);
  std::filesystem::remove(path_);
  std::filesystem::create_symlink(dir_ / "nowhere", path_);
  refusal();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nowhere"));
}

TEST_F(CryptoKeyFile, ReportsAMissingDirectory) {
  path_ = (dir_ / "absent" / "node.key").string();
  EXPECT_NE(refusal().find("cannot be created"), std::string::npos);
}

TEST(Crypto, Hash256IsBlake2bOfTheMessage) {
  // The published BLAKE2b-256 digest of "abc".
  EXPECT_EQ(to_hex(hash256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_NE(hash256("abc"), hash256("abd"));
}

TEST(Crypto, DeriveSubkeyDependsOnIdContextAndMaster) {
  std::string master(32, 'm');
  auto a = derive_subkey(master, 1, "pxbackup");
  EXPECT_EQ(a.size(), symmetric_key_bytes);
  EXPECT_EQ(a, derive_subkey(master, 1, "pxbackup"));
  EXPECT_NE(a, derive_subkey(master, 2, "pxbackup"));
  EXPECT_NE(a, derive_subkey(master, 1, "pxothers"));
  EXPECT_NE(a, derive_subkey(std::string(32, 'n'), 1, "pxbackup"));
  EXPECT_TRUE(derive_subkey(master, 1, "short").empty());
  EXPECT_TRUE(derive_subkey("short", 1, "pxbackup").empty());
}

TEST(Crypto, DeterministicBytesDependOnlyOnTheSeed) {
  std::string seed(32, 's');
  EXPECT_EQ(deterministic_bytes(100, seed), deterministic_bytes(100, seed));
  EXPECT_NE(deterministic_bytes(100, seed), deterministic_bytes(100, std::string(32, 't')));
  EXPECT_TRUE(deterministic_bytes(100, "short").empty());
}

TEST(Crypto, AeadRoundTripAndTamperDetection) {
  std::string key = random_bytes(symmetric_key_bytes);
  auto sealed = aead_seal(key, "secret", "ad");
  EXPECT_EQ(sealed.size(), 6 + aead_overhead);
  EXPECT_EQ(aead_open(key, sealed, "ad"), "secret");
  EXPECT_NE(aead_seal(key, "secret", "ad"), sealed);
  EXPECT_FALSE(aead_open(key, sealed, "other ad"));
  EXPECT_FALSE(aead_open(random_bytes(symmetric_key_bytes), sealed, "ad"));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] ^= 0x04;
    EXPECT_FALSE(aead_open(key, bad, "ad")) << i;
  }
  EXPECT_FALSE(aead_open(key, sealed.substr(0, aead_overhead - 1), "ad"));
  EXPECT_TRUE(aead_seal("short", "x", "").empty());
}

TEST(Crypto, FromHexInvertsToHex) {
  EXPECT_EQ(from_hex("00ff10Ab"), "\x00\xff\x10\xab"s);
  EXPECT_EQ(from_hex(to_hex("hello")), "hello");
  EXPECT_EQ(from_hex(""), ""s);
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_FALSE(from_hex("0 "));
}

}  // namespace
}  // namespace plexichat::runtime
