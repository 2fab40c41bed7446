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

std::string write_new_file(const std::string& path, std::string_view bytes, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return errno == EEXIST ? path + " already exists; refusing to replace it" : reason(path, errno);
  }
  // The umask may have narrowed the mode at creation; set exactly what was asked.
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || !sync_parent(path)) {
    ::unlink(path.c_str());
    return reason(path, ok ? errno : err);
  }
  return {};
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
