#include "runtime/crypto.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace plexichat::runtime {

namespace {

constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr std::size_t kIdChars = 20;
constexpr std::size_t kKeyFileSize = crypto_sign_SECRETKEYBYTES;

// Every entry point needs libsodium; without kernel randomness nothing here is safe.
void require_init() {
  if (!crypto_init()) {
    std::fputs("plexichat: libsodium cannot be initialised; stopping\n", stderr);
    std::abort();
  }
}

unsigned char* bytes_of(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct pwhash_limits {
  unsigned long long ops;
  std::size_t mem;
};

pwhash_limits limits_of(pwhash_cost cost) {
  switch (cost) {
    case pwhash_cost::min:
      return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    case pwhash_cost::interactive:
      return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    case pwhash_cost::moderate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case pwhash_cost::sensitive:
      return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
  }
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

constexpr std::array<std::string_view, 4> kCostNames{"min", "interactive", "moderate", "sensitive"};

}  // namespace

bool crypto_init() {
  // sodium_init() is itself thread-safe; the static only saves the repeated call.
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string random_bytes(std::size_t n) {
  require_init();
  std::string out(n, '\0');
  if (n > 0) {
    randombytes_buf(out.data(), n);
  }
  return out;
}

std::string random_id(std::string_view prefix) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
  // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
  const std::string noise = random_bytes(kIdChars);
  std::string id(prefix);
  for (const char c : noise) {
    id.push_back(kAlphabet[static_cast<unsigned char>(c) & 31U]);
  }
  return id;
}

std::string base64url_encode(std::string_view bytes) {
  require_init();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kBase64Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), kBase64Variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  require_init();
  if (text.empty()) {
    return std::string{};
  }
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t length = 0;
  // No ignore set and no end pointer: libsodium then rejects any character it does not
  // decode, an impossible length and non-zero trailing bits.
  if (sodium_base642bin(bytes_of(out), out.size(), text.data(), text.size(), nullptr, &length,
                        nullptr, kBase64Variant) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

uint64_t stable_hash64(std::string_view bytes) {
  unsigned char out[crypto_generichash_BYTES_MIN];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  uint64_t h = 0;
  for (int i = 7; i >= 0; --i) {
    h = (h << 8) | out[i];
  }
  return h;
}

std::string to_hex(std::string_view bytes) {
  require_init();
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::optional<pwhash_cost> parse_pwhash_cost(std::string_view name) {
  for (std::size_t i = 0; i < kCostNames.size(); ++i) {
    if (kCostNames[i] == name) {
      return static_cast<pwhash_cost>(i);
    }
  }
  return std::nullopt;
}

std::string_view to_string(pwhash_cost cost) {
  const auto index = static_cast<std::size_t>(cost);
  return index < kCostNames.size() ? kCostNames[index] : std::string_view{"unknown"};
}

std::optional<std::string> hash_password(std::string_view password, pwhash_cost cost) {
  require_init();
  const pwhash_limits limits = limits_of(cost);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), limits.ops, limits.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::nullopt;
  }
  return std::string(out.data());
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  require_init();
  // libsodium reads a NUL-terminated string of fewer than crypto_pwhash_STRBYTES bytes.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  require_init();
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

signing_key generate_signing_key() {
  require_init();
  signing_key key{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                  std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_keypair(bytes_of(key.public_key), bytes_of(key.secret_key));
  return key;
}

std::optional<signing_key> signing_key_from_seed(std::string_view seed32) {
  require_init();
  if (seed32.size() != crypto_sign_SEEDBYTES) {
    return std::nullopt;
  }
  signing_key key{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                  std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_seed_keypair(bytes_of(key.public_key), bytes_of(key.secret_key), bytes_of(seed32));
  return key;
}

bool is_well_formed(const signing_key& key) {
  if (key.public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      key.secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return false;
  }
  const auto derived =
      signing_key_from_seed(std::string_view(key.secret_key).substr(0, crypto_sign_SEEDBYTES));
  return derived && equal_constant_time(derived->secret_key, key.secret_key) &&
         equal_constant_time(derived->public_key, key.public_key);
}

std::string sign_detached(std::string_view message, const signing_key& key) {
  require_init();
  if (key.secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return {};
  }
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(bytes_of(signature), nullptr, bytes_of(message), message.size(),
                       bytes_of(key.secret_key));
  return signature;
}

bool verify_detached(std::string_view signature, std::string_view message,
                     std::string_view public_key) {
  require_init();
  if (signature.size() != crypto_sign_BYTES || public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return false;
  }
  return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(),
                                     bytes_of(public_key)) == 0;
}

// ---- The signing key file -------------------------------------------------------------

namespace {

class unique_fd {
 public:
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

key_result key_error(const std::string& path, const std::string& what) {
  return {std::nullopt, "signing key file '" + path + "' " + what};
}

std::string mode_text(mode_t mode) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

// Reads until `size` bytes or end of file; returns the count, or -1 with errno set.
ssize_t read_up_to(int fd, unsigned char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return -1;
    }
    if (n == 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      errno = n == 0 ? EIO : errno;  // a write of nothing sets no errno of its own
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

key_result check_key_file_status(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return key_error(path, "cannot be examined: " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return key_error(path, "is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return key_error(path, "is accessible by group or others (mode " + mode_text(st.st_mode) +
                               "); restrict it to its owner: chmod 600 " + path);
  }
  if (st.st_size != static_cast<off_t>(kKeyFileSize)) {
    return key_error(path, "has " + std::to_string(st.st_size) + " bytes; a signing key file has " +
                               std::to_string(kKeyFileSize));
  }
  return {};
}

key_result load_key_file(int fd, const std::string& path) {
  if (auto status = check_key_file_status(fd, path); !status.error.empty()) {
    return status;
  }
  // One byte more than expected, to notice a file that grew since fstat.
  std::array<unsigned char, kKeyFileSize + 1> buffer{};
  const ssize_t n = read_up_to(fd, buffer.data(), buffer.size());
  const int read_errno = errno;
  std::string secret(reinterpret_cast<const char*>(buffer.data()), kKeyFileSize);
  sodium_memzero(buffer.data(), buffer.size());
  if (n < 0) {
    return key_error(path, "cannot be read: " + errno_text(read_errno));
  }
  if (n != static_cast<ssize_t>(kKeyFileSize)) {
    return key_error(path, "changed size while being read");
  }
  auto key = signing_key_from_seed(std::string_view(secret).substr(0, crypto_sign_SEEDBYTES));
  const bool matches = key && equal_constant_time(key->secret_key, secret);
  sodium_memzero(secret.data(), secret.size());
  if (!matches) {
    return key_error(path, "is not a signing key: its public half does not match its seed");
  }
  return {std::move(key), {}};
}

std::string fsync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) {
    dir = ".";
  }
  const unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return errno_text(errno);
  }
  return {};
}

// Returns nullopt when the file appeared meanwhile (O_EXCL lost the race): load it instead.
std::optional<key_result> create_key_file(const std::string& path) {
  const int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (raw < 0 && errno == EEXIST) {
    return std::nullopt;
  }
  if (raw < 0) {
    return key_error(path, "cannot be created: " + errno_text(errno));
  }
  const unique_fd fd(raw);
  signing_key key = generate_signing_key();
  // The umask may have taken bits away from 0600; the file must be exactly owner rw.
  if (::fchmod(fd.get(), 0600) != 0 || !write_all(fd.get(), key.secret_key) ||
      ::fsync(fd.get()) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return key_error(path, "cannot be written: " + errno_text(error));
  }
  if (auto error = fsync_directory_of(path); !error.empty()) {
    return key_error(path, "was written but its directory cannot be synced: " + error);
  }
  return key_result{std::move(key), {}};
}

}  // namespace

key_result load_or_create_signing_key(const std::string& path) {
  require_init();
  for (int attempt = 0; attempt < 2; ++attempt) {
    // O_NONBLOCK so that a FIFO at `path` is refused instead of blocking the open.
    const int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (raw >= 0) {
      const unique_fd fd(raw);
      return load_key_file(fd.get(), path);
    }
    if (errno != ENOENT) {
      return key_error(path, "cannot be opened: " + errno_text(errno));
    }
    if (auto created = create_key_file(path)) {
      return std::move(*created);
    }
  }
  return key_error(path, "exists but cannot be opened (is it a dangling symbolic link?)");
}

}  // namespace plexichat::runtime
