// Store's artifact methods: chunked blobs with a manifest, checked on every read.
#include <rocksdb/write_batch.h>

#include <utility>

#include "common/sha256.h"
#include "coordinator/store/store.h"
#include "coordinator/store/store_rep.h"

namespace augsweep {
namespace {

// Releases a RocksDB snapshot when a read is done.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~SnapshotHolder() { db_->ReleaseSnapshot(snapshot_); }
  SnapshotHolder(const SnapshotHolder&) = delete;
  SnapshotHolder& operator=(const SnapshotHolder&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

std::string Quoted(std::string_view id) { return "artifact \"" + std::string(id) + "\""; }

}  // namespace

Status ValidateArtifactId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("artifact id is empty");
  if (id.size() > 512) {
    return InvalidArgumentError("artifact id \"" + std::string(id.substr(0, 64)) + "...\" is " +
                                std::to_string(id.size()) + " bytes long (at most 512)");
  }
  if (id.find('/') != std::string_view::npos || id.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(Quoted(id) +
                                ": ids must not contain '/' or NUL ('/' separates chunk keys)");
  }
  return OkStatus();
}

Status Store::PutArtifact(std::string_view id, std::string_view bytes) {
  AUGSWEEP_RETURN_IF_ERROR(ValidateArtifactId(id));
  const uint64_t chunk_size = options_.artifact_chunk_size;
  ArtifactManifest m;
  m.info.id = std::string(id);
  m.info.size = bytes.size();
  m.info.chunk_size = chunk_size;
  m.info.chunk_count = (bytes.size() + chunk_size - 1) / chunk_size;
  if (m.info.chunk_count > kMaxArtifactChunks) {
    return InvalidArgumentError(Quoted(id) + ": " + std::to_string(bytes.size()) +
                                " bytes need more than " + std::to_string(kMaxArtifactChunks) +
                                " chunks");
  }
  m.info.sha256 = Sha256Hex(bytes);
  for (uint64_t i = 0; i < m.info.chunk_count; ++i) {
    m.chunk_sha256.push_back(Sha256Hex(bytes.substr(i * chunk_size, m.ChunkBytes(i))));
  }
  return CommitArtifact(
      m,
      [&](uint64_t i) -> StatusOr<std::string> {
        return std::string(bytes.substr(i * chunk_size, m.ChunkBytes(i)));
      },
      std::nullopt);
}

Status Store::CommitArtifact(const ArtifactManifest& manifest,
                             const std::function<StatusOr<std::string>(uint64_t)>& chunk,
                             std::optional<uint64_t> staged_upload) {
  AUGSWEEP_RETURN_IF_ERROR(CheckWritable());
  const ArtifactInfo& info = manifest.info;
  MutexLock lock(&artifact_mu_);
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<ArtifactInfo> existing, StatArtifact(info.id));
  if (existing) {
    if (staged_upload) DeleteStagedChunks(*staged_upload, info.chunk_count);
    if (existing->size == info.size && existing->sha256 == info.sha256) return OkStatus();
    return FailedPreconditionError(
        Quoted(info.id) +
        " already exists with different content (stored: " + std::to_string(existing->size) +
        " bytes, sha256 " + existing->sha256 + "; new: " + std::to_string(info.size) +
        " bytes, sha256 " + info.sha256 + "); an artifact id must always name the same bytes");
  }

  const std::string context = "store " + dir_ + ": " + Quoted(info.id) + ": commit";
  rocksdb::ColumnFamilyHandle* cf = rep_->cf(Family::kArtifacts);
  rocksdb::WriteBatch batch;
  for (uint64_t i = 0; i < info.chunk_count; ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, chunk(i));
    AUGSWEEP_RETURN_IF_ERROR(
        FromRocks(batch.Put(cf, ArtifactChunkKey(info.id, i), bytes), context));
    if (staged_upload) {
      AUGSWEEP_RETURN_IF_ERROR(
          FromRocks(batch.Delete(rep_->staging, StagingChunkKey(*staged_upload, i)), context));
    }
  }
  // The manifest goes in the same batch: an artifact is visible whole or not at all.
  AUGSWEEP_RETURN_IF_ERROR(FromRocks(batch.Put(cf, info.id, manifest.Encode()), context));
  return rep_->Write(SyncedWrite(), &batch, context);
}

StatusOr<std::optional<ArtifactInfo>> Store::StatArtifact(std::string_view id) {
  AUGSWEEP_RETURN_IF_ERROR(ValidateArtifactId(id));
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> text, Get(Family::kArtifacts, id));
  if (!text) return std::optional<ArtifactInfo>();
  AUGSWEEP_ASSIGN_OR_RETURN(ArtifactManifest m, ArtifactManifest::Parse(id, *text));
  return std::optional<ArtifactInfo>(std::move(m.info));
}

StatusOr<std::string> Store::ReadArtifact(std::string_view id) {
  AUGSWEEP_RETURN_IF_ERROR(ValidateArtifactId(id));
  rocksdb::ColumnFamilyHandle* cf = rep_->cf(Family::kArtifacts);
  SnapshotHolder snapshot(rep_->db.get());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();  // manifest and chunks from one point in time

  std::string text;
  rocksdb::Status s = rep_->db->Get(read, cf, id, &text);
  if (s.IsNotFound()) return NotFoundError(Quoted(id) + " not found in store " + dir_);
  AUGSWEEP_RETURN_IF_ERROR(FromRocks(s, "store " + dir_ + ": " + Quoted(id) + ": manifest"));
  AUGSWEEP_ASSIGN_OR_RETURN(ArtifactManifest m, ArtifactManifest::Parse(id, text));

  const uint64_t n = m.info.chunk_count;
  std::string out;
  out.reserve(m.info.size);
  rocksdb::PinnableSlice chunk;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string key = ArtifactChunkKey(id, i);
    const std::string where = Quoted(id) + ": chunk " + std::to_string(i) + " of " +
                              std::to_string(n) + " (key \"" + key + "\")";
    chunk.Reset();
    s = rep_->db->Get(read, cf, key, &chunk);
    if (s.IsNotFound()) return DataLossError(where + " is missing");
    AUGSWEEP_RETURN_IF_ERROR(FromRocks(s, "store " + dir_ + ": " + where));
    if (chunk.size() != m.ChunkBytes(i)) {
      return DataLossError(where + " holds " + std::to_string(chunk.size()) +
                           " bytes, the manifest says " + std::to_string(m.ChunkBytes(i)));
    }
    const std::string actual = Sha256Hex(chunk.ToStringView());
    if (actual != m.chunk_sha256[i]) {
      return DataLossError(where + ": sha256 mismatch: the manifest says " + m.chunk_sha256[i] +
                           ", the stored bytes hash to " + actual);
    }
    out.append(chunk.data(), chunk.size());
  }
  // Catches a manifest whose chunk list was altered together with the chunks.
  const std::string whole = Sha256Hex(out);
  if (whole != m.info.sha256) {
    return DataLossError(Quoted(id) + ": sha256 of the whole blob is " + whole +
                         ", the manifest says " + m.info.sha256);
  }
  return out;
}

ArtifactWriter Store::BeginArtifact(std::string_view id) {
  Status usable = CheckWritable();
  if (usable.ok()) usable = ValidateArtifactId(id);
  return ArtifactWriter(this, std::string(id), next_upload_.fetch_add(1),
                        options_.artifact_chunk_size, usable);
}

// Staging writes are not synced: an unfinished upload is discarded on open anyway, and the
// synced batch of Finish makes everything before it durable.
Status Store::PutStagedChunk(uint64_t upload, uint64_t index, std::string_view bytes) {
  AUGSWEEP_RETURN_IF_ERROR(CheckWritable());
  const std::string context = "store " + dir_ + ": staging an upload chunk";
  rocksdb::WriteBatch batch;
  AUGSWEEP_RETURN_IF_ERROR(
      FromRocks(batch.Put(rep_->staging, StagingChunkKey(upload, index), bytes), context));
  return rep_->Write(rocksdb::WriteOptions(), &batch, context);
}

StatusOr<std::string> Store::GetStagedChunk(uint64_t upload, uint64_t index) {
  std::string value;
  rocksdb::Status s =
      rep_->db->Get(rocksdb::ReadOptions(), rep_->staging, StagingChunkKey(upload, index), &value);
  if (s.IsNotFound()) {
    return InternalError("store " + dir_ + ": staged chunk " + std::to_string(index) +
                         " of upload " + std::to_string(upload) + " is missing");
  }
  AUGSWEEP_RETURN_IF_ERROR(FromRocks(s, "store " + dir_ + ": reading a staged upload chunk"));
  return value;
}

void Store::DeleteStagedChunks(uint64_t upload, uint64_t count) {
  rocksdb::WriteBatch batch;
  for (uint64_t i = 0; i < count; ++i) {
    batch.Delete(rep_->staging, StagingChunkKey(upload, i)).PermitUncheckedError();
  }
  // Best effort: whatever survives a failure here is discarded on the next open.
  if (batch.Count() > 0) rep_->db->Write(rocksdb::WriteOptions(), &batch).PermitUncheckedError();
}

}  // namespace augsweep
