// augsweep::Status ↔ grpc::Status. The codes share gRPC's numbering, so the mapping is one to one.
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace augsweep {

inline grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

inline Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return OkStatus();
  return Status(static_cast<StatusCode>(s.error_code()), s.error_message());
}

}  // namespace augsweep
