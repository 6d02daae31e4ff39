// Parsing and validating the header of a safetensors file held in memory: the part of the reader
// that touches no file system, so tests and fuzzers can feed it arbitrary bytes.
// SafetensorsFile::Open is the usual entry point; see safetensors.h for the rules enforced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/safetensors/safetensors.h"
#include "common/status.h"

namespace augsweep {

// Header length above which a file is rejected as corrupt (the Rust reference's limit).
inline constexpr uint64_t kMaxSafetensorsHeaderSize = 100'000'000;

struct SafetensorsHeader {
  uint64_t header_size = 0;         // N, the JSON length; data starts at 8 + N
  uint64_t data_size = 0;           // file size - 8 - N
  std::vector<TensorInfo> tensors;  // sorted by (begin, end, name)
  std::map<std::string, std::string> metadata;
};

// Validates a complete file image. `file_name` only prefixes error messages.
// DataLoss for truncation (too short, header or a tensor running past the end), InvalidArgument for
// everything else. Never throws; safe on arbitrary input.
StatusOr<SafetensorsHeader> ParseSafetensorsHeader(std::span<const std::byte> file,
                                                   std::string_view file_name);

}  // namespace augsweep
