#include "coordinator/store/artifact_manifest.h"

#include <charconv>

#include "coordinator/store/store_keys.h"

namespace augsweep {
namespace {

constexpr std::string_view kMagic = "augsweep-artifact-manifest 1";

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string ArtifactManifest::Encode() const {
  std::string out(kMagic);
  out += "\nsize " + std::to_string(info.size);
  out += "\nchunk_size " + std::to_string(info.chunk_size);
  out += "\nchunks " + std::to_string(info.chunk_count);
  out += "\nsha256 " + info.sha256;
  for (const std::string& h : chunk_sha256) out += "\nchunk " + h;
  out += '\n';
  return out;
}

uint64_t ArtifactManifest::ChunkBytes(uint64_t index) const {
  if (index + 1 < info.chunk_count) return info.chunk_size;
  return info.size - info.chunk_size * (info.chunk_count - 1);
}

StatusOr<ArtifactManifest> ArtifactManifest::Parse(std::string_view id, std::string_view text) {
  const std::string where = "artifact \"" + std::string(id) + "\": manifest";
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return DataLossError(where + ": truncated (last line has no newline)");
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 5 || lines[0] != kMagic) {
    return DataLossError(where + ": line 1: expected \"" + std::string(kMagic) + "\"");
  }
  ArtifactManifest m;
  m.info.id = std::string(id);
  auto field = [&](size_t i, std::string_view name, uint64_t* value) -> Status {
    std::string_view line = lines[i];
    std::string prefix = std::string(name) + " ";
    if (line.substr(0, prefix.size()) != prefix || !ParseU64(line.substr(prefix.size()), value)) {
      return DataLossError(where + ": line " + std::to_string(i + 1) + ": expected \"" +
                           std::string(name) + " <number>\", found \"" + std::string(line) + "\"");
    }
    return OkStatus();
  };
  AUGSWEEP_RETURN_IF_ERROR(field(1, "size", &m.info.size));
  AUGSWEEP_RETURN_IF_ERROR(field(2, "chunk_size", &m.info.chunk_size));
  AUGSWEEP_RETURN_IF_ERROR(field(3, "chunks", &m.info.chunk_count));
  if (lines[4].substr(0, 7) != "sha256 " || !IsSha256Hex(lines[4].substr(7))) {
    return DataLossError(where + ": line 5: expected \"sha256 <64 hex digits>\"");
  }
  m.info.sha256 = std::string(lines[4].substr(7));

  const uint64_t n = m.info.chunk_count;
  if (n > kMaxArtifactChunks || lines.size() - 5 != n) {
    return DataLossError(where + ": declares " + std::to_string(n) + " chunks but lists " +
                         std::to_string(lines.size() - 5) + " chunk checksums");
  }
  // The sizes must describe a real split: all chunks full except a non-empty last one.
  const bool sizes_ok = m.info.chunk_size > 0 && m.info.chunk_size <= kMaxArtifactChunkSize &&
                        (n == 0 ? m.info.size == 0
                                : (m.info.size > m.info.chunk_size * (n - 1) &&
                                   m.info.size <= m.info.chunk_size * n));
  if (!sizes_ok) {
    return DataLossError(where + ": size " + std::to_string(m.info.size) +
                         " cannot be split into " + std::to_string(n) + " chunks of " +
                         std::to_string(m.info.chunk_size) + " bytes");
  }
  for (size_t i = 5; i < lines.size(); ++i) {
    if (lines[i].substr(0, 6) != "chunk " || !IsSha256Hex(lines[i].substr(6))) {
      return DataLossError(where + ": line " + std::to_string(i + 1) +
                           ": expected \"chunk <64 hex digits>\"");
    }
    m.chunk_sha256.emplace_back(lines[i].substr(6));
  }
  return m;
}

}  // namespace augsweep
