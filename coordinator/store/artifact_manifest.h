// The manifest record of a stored artifact: what ReadArtifact checks every chunk against.
//
// Stored under "<id>" in Family::kArtifacts as short text (readable with `ldb scan`):
//   augsweep-artifact-manifest 1
//   size <bytes>
//   chunk_size <bytes>
//   chunks <count>
//   sha256 <64 hex digits of the whole blob>
//   chunk <64 hex digits of chunk 0>
//   ... one "chunk" line per chunk, in order
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

// What StatArtifact reports about a stored artifact (taken from its manifest; chunks unread).
struct ArtifactInfo {
  std::string id;
  uint64_t size = 0;         // bytes of the whole blob
  uint64_t chunk_count = 0;  // 0 for an empty blob
  uint64_t chunk_size = 0;   // every chunk but the last holds exactly this many bytes
  std::string sha256;        // 64 lowercase hex digits of the whole blob
};

struct ArtifactManifest {
  ArtifactInfo info;
  std::vector<std::string> chunk_sha256;  // one per chunk, lowercase hex

  std::string Encode() const;
  // Parses and checks internal consistency (counts, sizes, hex). Errors are DataLoss and
  // name the artifact `id` and the offending line.
  static StatusOr<ArtifactManifest> Parse(std::string_view id, std::string_view text);

  // Bytes chunk `index` must hold.
  uint64_t ChunkBytes(uint64_t index) const;
};

// Largest chunk size a store accepts; bounds size arithmetic on manifests read from disk.
inline constexpr uint64_t kMaxArtifactChunkSize = uint64_t{1} << 30;

// True if `s` is 64 lowercase hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace augsweep
