// ArtifactWriter: receives an artifact as a stream of pieces (an upload arriving in gRPC
// messages) without holding the whole blob in memory while it arrives.
//
// Full chunks go to a private staging key space as they fill; Finish moves them under the
// artifact's id and writes the manifest in one synced batch, so a partly received upload is
// never visible. Staging left behind by a crash is deleted when the store is next opened.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/sha256.h"
#include "common/status.h"

namespace augsweep {

class Store;

// Obtained from Store::BeginArtifact. Not thread-safe (one upload, one caller at a time);
// different writers may be used concurrently. Holds a non-owning pointer to its Store, which
// must outlive it.
class ArtifactWriter {
 public:
  ArtifactWriter(ArtifactWriter&& other) noexcept;
  ArtifactWriter& operator=(ArtifactWriter&& other) noexcept;
  ArtifactWriter(const ArtifactWriter&) = delete;
  ArtifactWriter& operator=(const ArtifactWriter&) = delete;
  // An upload neither finished nor failed is abandoned: its staged chunks are deleted.
  ~ArtifactWriter();

  // Appends the next piece; pieces may have any size. The first error (an invalid id from
  // BeginArtifact, a failed staging write) sticks and is returned by every later call.
  Status Append(std::string_view bytes);

  // Commits the artifact. `expected_sha256`, when not empty, is the sender's hash of the whole
  // blob (64 hex digits); a mismatch is DataLoss and stores nothing. As with
  // Store::PutArtifact, an existing artifact with identical bytes is success and different
  // bytes are FailedPrecondition. The writer is done afterwards, whatever the outcome.
  // While committing, the whole blob is held in memory once (one atomic batch).
  Status Finish(std::string_view expected_sha256 = {});

  const std::string& id() const { return id_; }
  uint64_t bytes_received() const { return size_; }

 private:
  friend class Store;
  ArtifactWriter(Store* store, std::string id, uint64_t upload, uint64_t chunk_size, Status status);

  Status FlushChunk(std::string_view chunk);
  void Abandon();

  Store* store_ = nullptr;  // null once finished or abandoned
  std::string id_;
  uint64_t upload_ = 0;  // names this upload's staging keys
  uint64_t chunk_size_ = 0;
  Status status_;
  std::string pending_;  // bytes of the chunk being filled, < chunk_size_
  uint64_t size_ = 0;
  Sha256 whole_;
  std::vector<std::string> chunk_sha256_;
};

}  // namespace augsweep
