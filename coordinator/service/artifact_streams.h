// Artifact chunk streams over gRPC: the server side of WorkerService's GetArtifact and
// PutArtifact, reading from and writing to the store with sha256 checks, in chunks of
// kStreamChunkBytes (rpc/rpc_options.h).
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/sync_stream.h>

#include "augsweep/v1/artifact.pb.h"
#include "coordinator/store/store.h"

namespace augsweep {

grpc::Status ServeArtifact(Store& store, const v1::GetArtifactRequest& request,
                           grpc::ServerWriter<v1::ArtifactChunk>* writer);
grpc::Status ReceiveArtifact(Store& store, grpc::ServerReader<v1::ArtifactChunk>* reader,
                             v1::PutArtifactResponse* response);

}  // namespace augsweep
