#include "tests/fuzz/fuzz_input.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace augsweep::fuzz {

const std::string& ScratchFolder() {
  static const std::string folder = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "augsweep-fuzz.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  return folder;
}

void WriteScratchFile(const std::string& name, std::string_view contents) {
  std::ofstream out(ScratchFolder() + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

void RemoveScratchFile(const std::string& name) {
  std::error_code ec;
  std::filesystem::remove(ScratchFolder() + "/" + name, ec);
}

}  // namespace augsweep::fuzz
