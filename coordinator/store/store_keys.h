// Key layout of the coordinator store: the few keys the store itself assigns or reserves.
// These spellings are part of the on-disk format; change them only with a schema version bump.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace augsweep {

// Family::kMeta keys.
inline constexpr std::string_view kSchemaVersionKey = "schema_version";
// High-water mark of event sequence numbers, written in the same batch as the events, so
// pruning the newest events never lets a sequence number be handed out twice.
inline constexpr std::string_view kLastEventSequenceKey = "last_event_sequence";

// "00000000000000000042": 20 digits hold every uint64, and byte order equals numeric order.
std::string EventKey(uint64_t sequence);
// The sequence number of a 20-digit event key, or nullopt if `key` is not one.
std::optional<uint64_t> ParseEventKey(std::string_view key);

// "<id>/<index as 8 digits>", the key of one chunk of an artifact in Family::kArtifacts.
// Artifact ids never contain '/', so manifest keys and chunk keys cannot collide.
std::string ArtifactChunkKey(std::string_view id, uint64_t index);
inline constexpr uint64_t kMaxArtifactChunks = 100'000'000;  // what 8 digits can index

// Staging keys of an unfinished upload: "<upload number as 20 digits>/<index as 8 digits>".
std::string StagingChunkKey(uint64_t upload, uint64_t index);
std::string StagingUploadPrefix(uint64_t upload);

}  // namespace augsweep
