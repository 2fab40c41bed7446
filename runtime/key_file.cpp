#include "runtime/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "runtime/files.hpp"

namespace plexichat::runtime {

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

key_file_result key_error(std::string_view label, const std::string& path,
                          const std::string& what) {
  return {std::nullopt, std::string(label) + " file '" + path + "' " + what, false};
}

std::string mode_text(mode_t mode) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

// Reads until `size` bytes or end of file; returns the count, or -1 with errno set.
ssize_t read_up_to(int fd, char* out, std::size_t size) {
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

key_file_result check_status(int fd, const std::string& path, std::size_t size,
                             std::string_view label) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return key_error(label, path, "cannot be examined: " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return key_error(label, path, "is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return key_error(label, path,
                     "is accessible by group or others (mode " + mode_text(st.st_mode) +
                         "); restrict it to its owner: chmod 600 " + path);
  }
  if (st.st_size != static_cast<off_t>(size)) {
    return key_error(label, path,
                     "has " + std::to_string(st.st_size) + " bytes; a " + std::string(label) +
                         " file has " + std::to_string(size));
  }
  return {};
}

}  // namespace

key_file_result read_key_file(const std::string& path, std::size_t size, std::string_view label) {
  // O_NONBLOCK so that a FIFO at `path` is refused instead of blocking the open.
  const int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (raw < 0) {
    const int error = errno;
    auto r = key_error(label, path, "cannot be opened: " + errno_text(error));
    r.missing = error == ENOENT;
    return r;
  }
  const unique_fd fd(raw);
  if (auto status = check_status(fd.get(), path, size, label); !status.error.empty()) {
    return status;
  }
  // One byte more than expected, to notice a file that grew since fstat.
  std::string buffer(size + 1, '\0');
  const ssize_t n = read_up_to(fd.get(), buffer.data(), buffer.size());
  const int read_errno = errno;
  std::string secret = buffer.substr(0, size);
  explicit_bzero(buffer.data(), buffer.size());
  if (n < 0 || n != static_cast<ssize_t>(size)) {
    explicit_bzero(secret.data(), secret.size());
    return key_error(label, path,
                     n < 0 ? "cannot be read: " + errno_text(read_errno)
                           : std::string("changed size while being read"));
  }
  return {std::move(secret), {}, false};
}

std::optional<key_file_result> create_key_file(const std::string& path, std::string_view bytes,
                                               std::string_view label) {
  auto status = create_new_file(path, bytes, 0600);
  if (status.exists) {
    return std::nullopt;
  }
  if (!status.error.empty()) {
    return key_error(label, path, "cannot be created: " + status.error);
  }
  return key_file_result{std::string(bytes), {}, false};
}

}  // namespace plexichat::runtime
