#include "coordinator/store/artifact_writer.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "coordinator/store/store.h"

namespace augsweep {

ArtifactWriter::ArtifactWriter(Store* store, std::string id, uint64_t upload, uint64_t chunk_size,
                               Status status)
    : store_(store),
      id_(std::move(id)),
      upload_(upload),
      chunk_size_(chunk_size),
      status_(std::move(status)) {}

ArtifactWriter::ArtifactWriter(ArtifactWriter&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      id_(std::move(other.id_)),
      upload_(other.upload_),
      chunk_size_(other.chunk_size_),
      status_(std::move(other.status_)),
      pending_(std::move(other.pending_)),
      size_(other.size_),
      whole_(other.whole_),
      chunk_sha256_(std::move(other.chunk_sha256_)) {}

ArtifactWriter& ArtifactWriter::operator=(ArtifactWriter&& other) noexcept {
  if (this != &other) {
    Abandon();
    store_ = std::exchange(other.store_, nullptr);
    id_ = std::move(other.id_);
    upload_ = other.upload_;
    chunk_size_ = other.chunk_size_;
    status_ = std::move(other.status_);
    pending_ = std::move(other.pending_);
    size_ = other.size_;
    whole_ = other.whole_;
    chunk_sha256_ = std::move(other.chunk_sha256_);
  }
  return *this;
}

ArtifactWriter::~ArtifactWriter() { Abandon(); }

void ArtifactWriter::Abandon() {
  if (store_ == nullptr) return;
  // One past the last chunk recorded, in case a failed staging write landed anyway.
  store_->DeleteStagedChunks(upload_, chunk_sha256_.size() + 1);
  store_ = nullptr;
}

Status ArtifactWriter::FlushChunk(std::string_view chunk) {
  if (chunk_sha256_.size() >= kMaxArtifactChunks) {
    return InvalidArgumentError("artifact \"" + id_ + "\": upload needs more than " +
                                std::to_string(kMaxArtifactChunks) + " chunks");
  }
  AUGSWEEP_RETURN_IF_ERROR(store_->PutStagedChunk(upload_, chunk_sha256_.size(), chunk));
  chunk_sha256_.push_back(Sha256Hex(chunk));
  return OkStatus();
}

Status ArtifactWriter::Append(std::string_view bytes) {
  if (!status_.ok()) return status_;
  if (store_ == nullptr) {
    return FailedPreconditionError("artifact \"" + id_ + "\": Append after Finish");
  }
  whole_.Update(bytes);
  size_ += bytes.size();
  while (!bytes.empty()) {
    if (pending_.empty() && bytes.size() >= chunk_size_) {
      status_ = FlushChunk(bytes.substr(0, chunk_size_));  // a whole chunk: no copy
      bytes.remove_prefix(chunk_size_);
    } else {
      const size_t take = std::min<size_t>(chunk_size_ - pending_.size(), bytes.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() == chunk_size_) {
        status_ = FlushChunk(pending_);
        pending_.clear();
      }
    }
    if (!status_.ok()) return status_;
  }
  return OkStatus();
}

Status ArtifactWriter::Finish(std::string_view expected_sha256) {
  if (!status_.ok()) {
    Abandon();
    return status_;
  }
  if (store_ == nullptr) {
    return FailedPreconditionError("artifact \"" + id_ + "\": Finish called twice");
  }
  if (!pending_.empty()) {
    status_ = FlushChunk(pending_);
    pending_.clear();
    if (!status_.ok()) {
      Abandon();
      return status_;
    }
  }
  ArtifactManifest m;
  m.info.id = id_;
  m.info.size = size_;
  m.info.chunk_size = chunk_size_;
  m.info.chunk_count = chunk_sha256_.size();
  m.info.sha256 = whole_.HexDigest();
  m.chunk_sha256 = chunk_sha256_;

  if (!expected_sha256.empty()) {
    std::string expected(expected_sha256);
    std::transform(expected.begin(), expected.end(), expected.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!IsSha256Hex(expected)) {
      status_ = InvalidArgumentError("artifact \"" + id_ + "\": expected sha256 \"" +
                                     std::string(expected_sha256) + "\" is not 64 hex digits");
    } else if (expected != m.info.sha256) {
      status_ = DataLossError("artifact \"" + id_ + "\": the " + std::to_string(size_) +
                              " bytes received hash to " + m.info.sha256 +
                              ", the sender declared " + expected);
    }
    if (!status_.ok()) {
      Abandon();
      return status_;
    }
  }

  Store* store = store_;
  const uint64_t upload = upload_;
  status_ = store->CommitArtifact(
      m, [store, upload](uint64_t i) { return store->GetStagedChunk(upload, i); }, upload);
  if (!status_.ok()) {
    Abandon();
    return status_;
  }
  store_ = nullptr;  // committed: the staging keys went away in the same batch
  return OkStatus();
}

}  // namespace augsweep
