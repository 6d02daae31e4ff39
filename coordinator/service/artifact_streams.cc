#include "coordinator/service/artifact_streams.h"

#include "common/sha256.h"
#include "rpc/grpc_status.h"
#include "rpc/rpc_options.h"

namespace augsweep {

grpc::Status ServeArtifact(Store& store, const v1::GetArtifactRequest& request,
                           grpc::ServerWriter<v1::ArtifactChunk>* writer) {
  StatusOr<std::string> bytes = store.ReadArtifact(request.artifact_id());
  if (!bytes.ok()) return ToGrpc(bytes.status());
  const std::string& data = *bytes;
  const std::string sha = Sha256Hex(data);
  size_t offset = 0;
  do {
    const size_t n = std::min(kStreamChunkBytes, data.size() - offset);
    v1::ArtifactChunk chunk;
    if (offset == 0) {
      chunk.set_artifact_id(request.artifact_id());
      chunk.set_total_size(data.size());
    }
    chunk.set_offset(offset);
    chunk.set_data(data.substr(offset, n));
    offset += n;
    if (offset == data.size()) {
      chunk.set_last(true);
      chunk.set_sha256(sha);
    }
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  } while (offset < data.size());
  return grpc::Status::OK;
}

grpc::Status ReceiveArtifact(Store& store, grpc::ServerReader<v1::ArtifactChunk>* reader,
                             v1::PutArtifactResponse* response) {
  v1::ArtifactChunk chunk;
  if (!reader->Read(&chunk) || chunk.artifact_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "PutArtifact: the first chunk must name the artifact");
  }
  ArtifactWriter writer = store.BeginArtifact(chunk.artifact_id());
  const std::string id = chunk.artifact_id();
  uint64_t expected_offset = 0;
  while (true) {
    if (chunk.offset() != expected_offset) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "PutArtifact " + id + ": chunk at offset " +
                              std::to_string(chunk.offset()) + ", expected " +
                              std::to_string(expected_offset));
    }
    Status s = writer.Append(chunk.data());
    if (!s.ok()) return ToGrpc(s);
    expected_offset += chunk.data().size();
    if (chunk.last()) break;
    if (!reader->Read(&chunk)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "PutArtifact " + id + ": stream ended before the last chunk");
    }
  }
  Status s = writer.Finish(chunk.sha256());
  if (!s.ok()) return ToGrpc(s);
  response->set_artifact_id(id);
  response->set_size(expected_offset);
  return grpc::Status::OK;
}

}  // namespace augsweep
