#include "coordinator/store/store_keys.h"

#include <cstdio>

namespace augsweep {
namespace {

std::string ZeroPadded(uint64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llu", width, static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace

std::string EventKey(uint64_t sequence) { return ZeroPadded(sequence, 20); }

std::optional<uint64_t> ParseEventKey(std::string_view key) {
  if (key.size() != 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string ArtifactChunkKey(std::string_view id, uint64_t index) {
  std::string key(id);
  key += '/';
  key += ZeroPadded(index, 8);
  return key;
}

std::string StagingUploadPrefix(uint64_t upload) { return ZeroPadded(upload, 20) + "/"; }

std::string StagingChunkKey(uint64_t upload, uint64_t index) {
  return StagingUploadPrefix(upload) + ZeroPadded(index, 8);
}

}  // namespace augsweep
