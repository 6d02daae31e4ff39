// Store: the coordinator's persistent state in one RocksDB database, one column family per
// record kind (sweeps, jobs, artifacts, results, events, meta).
//
// Keys and values are opaque bytes; the layers above store serialized protobuf records and the
// store knows nothing of their schema. Each Commit is one synced WriteBatch (the scheduler's
// GroupCommit merges many transitions' WriteSets into one), so a kill -9 at any point loses
// nothing that Commit acknowledged, and a store reopened on the same directory sees everything
// acknowledged. After a write fails (a full disk), later writes resume RocksDB first and work
// again once the disk has room.
//
// Thread safety: a Store may be used from any number of threads at once (RocksDB is
// thread-safe, and the store serialises the little it adds: event numbering and the
// exists-check of artifact commits). Only one Store, in one process, may hold a directory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"
#include "coordinator/store/artifact_manifest.h"
#include "coordinator/store/artifact_writer.h"
#include "coordinator/store/family.h"
#include "coordinator/store/store_keys.h"
#include "coordinator/store/write_set.h"

namespace augsweep {

// The on-disk schema version this code writes and understands.
inline constexpr int kStoreSchemaVersion = 1;

struct StoreOptions {
  // Artifacts are stored in chunks of this many bytes (at most kMaxArtifactChunkSize). Each
  // manifest records its own chunk size, so changing this never affects stored artifacts.
  uint64_t artifact_chunk_size = uint64_t{1} << 20;
  // Opens an existing store for reading only, without its lock, so it may be read while a
  // coordinator holds it (reads see what was committed when it was opened). Nothing is created
  // or cleaned up; every write returns FailedPrecondition.
  bool read_only = false;
};

class Store {
 public:
  // Opens the store in `dir`, creating the directory and an empty store (schema version 1)
  // if missing. Errors: Unavailable if another Store (in this or another process) holds the
  // directory; FailedPrecondition if `dir` is not an augsweep store (a non-empty directory
  // without a RocksDB database, or a RocksDB database without the store's families) or was
  // written by a newer schema version. Unfinished uploads left by a crash are deleted.
  // Read-only (options.read_only): NotFound if `dir` holds no store; nothing is created.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& dir,
                                               const StoreOptions& options = {});

  // Closes the database. Every ArtifactWriter from this store must be gone by then.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies every write in `writes` atomically, synced to disk before returning OK. Events are
  // numbered here, in commit order; their numbers are recorded in writes.event_sequences().
  // An empty set is a no-op. Writes into Family::kArtifacts bypass manifests and checksums:
  // they are for repair tools and tests.
  Status Commit(WriteSet& writes);

  // The value under `key`, or nullopt if there is none.
  StatusOr<std::optional<std::string>> Get(Family family, std::string_view key);

  // Calls `visit` for every key starting with `prefix`, in byte order, from one consistent
  // snapshot; the views are valid only during the call. `visit` returns false to stop early.
  Status Scan(Family family, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit);

  // Events with sequence numbers greater than `after`, in order (after = 0: all of them).
  Status ScanEvents(uint64_t after,
                    const std::function<bool(uint64_t sequence, std::string_view value)>& visit);
  // The highest sequence number handed out so far (0 before the first event).
  uint64_t last_event_sequence() const { return last_event_sequence_.load(); }

  // Artifacts: blobs split into chunks stored under "<id>/<8-digit index>" plus a manifest
  // "<id>" holding size, chunk count, chunk size, and the sha256 of the whole blob and of every
  // chunk; all written in one synced batch. Ids are non-empty and contain no '/' (content
  // hashes are typical). Putting identical bytes under an existing id succeeds without writing
  // (content-addressed ids may be re-put); different bytes are FailedPrecondition.
  Status PutArtifact(std::string_view id, std::string_view bytes);
  // Reads and verifies every checksum: NotFound if there is no manifest, DataLoss naming the
  // artifact and the chunk if anything does not match.
  StatusOr<std::string> ReadArtifact(std::string_view id);
  // The manifest's summary, without reading chunks; nullopt if the artifact does not exist.
  StatusOr<std::optional<ArtifactInfo>> StatArtifact(std::string_view id);
  // Starts a streamed upload; see ArtifactWriter. An invalid id is reported by its first call.
  ArtifactWriter BeginArtifact(std::string_view id);

  int schema_version() const { return schema_version_; }
  bool read_only() const { return options_.read_only; }
  const std::string& dir() const { return dir_; }
  // How many staged chunks of unfinished uploads Open deleted (left by a crash).
  uint64_t discarded_staged_chunks() const { return discarded_staged_chunks_; }

 private:
  friend class ArtifactWriter;
  struct Rep;  // the RocksDB handles; defined in store_rep.h so this header needs no RocksDB

  Store(std::string dir, const StoreOptions& options, std::unique_ptr<Rep> rep);

  Status Recover();              // schema version, event sequence, staging cleanup; part of Open
  Status CheckWritable() const;  // FailedPrecondition when opened read-only
  // Commits `manifest` and its chunks (`chunk(i)` returns chunk i) in one synced batch, unless
  // an artifact with this id exists; see PutArtifact for what happens then. If `staged_upload`
  // is set, that upload's staging keys are deleted in the same batch (or after, if nothing is
  // written).
  Status CommitArtifact(const ArtifactManifest& manifest,
                        const std::function<StatusOr<std::string>(uint64_t index)>& chunk,
                        std::optional<uint64_t> staged_upload);
  Status PutStagedChunk(uint64_t upload, uint64_t index, std::string_view bytes);
  StatusOr<std::string> GetStagedChunk(uint64_t upload, uint64_t index);
  void DeleteStagedChunks(uint64_t upload, uint64_t count);  // best effort

  const std::string dir_;
  const StoreOptions options_;
  std::unique_ptr<Rep> rep_;
  int schema_version_ = 0;
  uint64_t discarded_staged_chunks_ = 0;

  // Held from numbering events to the end of their write, so sequence order is commit order.
  Mutex event_mu_;
  // Written only under event_mu_; atomic so that last_event_sequence() reads it without the lock.
  std::atomic<uint64_t> last_event_sequence_{0};
  // Held from the exists-check of an artifact commit to the end of its write (it guards the
  // artifact keys in the database, not a member).
  Mutex artifact_mu_;
  std::atomic<uint64_t> next_upload_{1};
};

// Checks an artifact id: non-empty, no '/', no NUL, at most 512 bytes.
Status ValidateArtifactId(std::string_view id);

}  // namespace augsweep
