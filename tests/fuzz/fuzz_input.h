// Helpers shared by the fuzz targets: the input as text, and a private scratch folder for the
// targets whose parser reads a model folder rather than bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace augsweep::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first NUL byte: the two files of a two-file format (vocab.json and
// merges.txt). No NUL: all of it is the first part.
inline std::pair<std::string_view, std::string_view> SplitAtNul(std::string_view input) {
  const size_t nul = input.find('\0');
  if (nul == std::string_view::npos) return {input, {}};
  return {input.substr(0, nul), input.substr(nul + 1)};
}

// A folder of this process, created once and left for the OS to clean (/tmp).
const std::string& ScratchFolder();

// Writes `contents` to ScratchFolder()/name, replacing what was there.
void WriteScratchFile(const std::string& name, std::string_view contents);

// Removes ScratchFolder()/name if present.
void RemoveScratchFile(const std::string& name);

}  // namespace augsweep::fuzz
