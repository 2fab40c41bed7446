#include "runtime/files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace plexichat::runtime {

namespace {

std::string reason(const std::string& path, int err) {
  return path + ": " + std::strerror(err);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      errno = n == 0 ? EIO : errno;  // a write of nothing sets no errno of its own
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

/// fsyncs the directory holding `path`, so that the new name survives a crash.
bool sync_parent(const std::string& path) {
  auto dir = std::filesystem::path{path}.parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

new_file_status create_new_file(const std::string& path, std::string_view bytes, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return errno == EEXIST ? new_file_status{true, {}}
                           : new_file_status{false, std::strerror(errno)};
  }
  // The umask may have narrowed the mode at creation; set exactly what was asked.
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || !sync_parent(path)) {
    int cause = ok ? errno : err;
    ::unlink(path.c_str());
    return {false, std::strerror(cause)};
  }
  return {};
}

std::string write_new_file(const std::string& path, std::string_view bytes, unsigned mode) {
  auto status = create_new_file(path, bytes, mode);
  if (status.exists) {
    return path + " already exists; refusing to replace it";
  }
  return status.error.empty() ? std::string{} : path + ": " + status.error;
}

std::string replace_file(const std::string& path, std::string_view bytes, unsigned mode) {
  auto next = path + ".new";
  ::unlink(next.c_str());  // left by a crash before the rename: never the live file
  if (auto err = write_new_file(next, bytes, mode); !err.empty()) {
    return err;
  }
  if (::rename(next.c_str(), path.c_str()) != 0) {
    auto err = reason(path, errno);
    ::unlink(next.c_str());
    return err;
  }
  return sync_parent(path) ? std::string{} : reason(path, errno);
}

std::optional<std::string> read_whole_file(const std::string& path, std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = reason(path, errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = reason(path, errno);
    return std::nullopt;
  }
  return buf.str();
}

}  // namespace plexichat::runtime
