#include "security/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace augsweep {
namespace {

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

void MakeNewFilesOwnerOnly() { umask(077); }

Status EnsureOwnerOnlyDirectory(const std::string& dir, const std::string& what) {
  if (dir.empty()) return InvalidArgumentError(what + " is not named");
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return UnavailableError("cannot look at " + what + " " + dir + ": " + ErrnoText());
    // Each missing component is made 0700; components that exist are left as they are.
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
      const std::string prefix = slash == std::string::npos ? dir : dir.substr(0, slash);
      if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
        return UnavailableError("cannot create " + what + " " + dir + " (at " + prefix +
                                "): " + ErrnoText());
      }
      if (slash == std::string::npos) break;
    }
    if (chmod(dir.c_str(), 0700) != 0)
      return UnavailableError("cannot make " + what + " " + dir + " owner-only: " + ErrnoText());
    return OkStatus();
  }
  if (!S_ISDIR(st.st_mode))
    return FailedPreconditionError(what + " " + dir + " exists and is not a folder");
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        what + " " + dir + " is open to other users (mode " + OctalMode(st.st_mode) +
        "); it holds survey texts and results: run chmod -R go-rwx " + dir + " and start again");
  }
  return OkStatus();
}

StatusOr<std::string> ReadOwnerOnlyFile(const std::string& path, const std::string& what) {
  // Not ReadWholeFile: the mode is checked on the descriptor that is then read, so the file
  // cannot be swapped between the check and the read.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError(what + " " + path + " does not exist");
    return UnavailableError("cannot open " + what + " " + path + ": " + ErrnoText());
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return InvalidArgumentError(what + " " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return FailedPreconditionError(what + " " + path + " may be read by other users (mode " +
                                   OctalMode(st.st_mode) + "): run chmod 600 " + path +
                                   " (and consider it leaked if others could read it)");
  }
  std::string contents;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return UnavailableError("cannot read " + what + " " + path + ": " + ErrnoText());
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return contents;
}

Status WriteOwnerOnlyFile(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot create " + tmp + ": " + ErrnoText());
  // fchmod: O_CREAT's mode does not change a file that was already there.
  bool ok = fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < contents.size();) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  const std::string error = ok ? "" : ErrnoText();
  if (close(fd) != 0 && ok) return UnavailableError("cannot write " + tmp + ": " + ErrnoText());
  if (!ok) {
    unlink(tmp.c_str());
    return UnavailableError("cannot write " + tmp + ": " + error);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return UnavailableError("cannot rename " + tmp + " to " + path + ": " + ErrnoText());
  }
  return OkStatus();
}

}  // namespace augsweep
