#include "common/read_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace augsweep {

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return NotFoundError(path + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return InvalidArgumentError(path + ": is a folder, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return UnavailableError(path + ": read error");
  return buffer.str();
}

}  // namespace augsweep
