// augsweep::Status <-> grpc::Status. The codes share gRPC's numbering, so the mapping is one to
// one; the message travels as it is.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

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

// The same, its message prefixed with `what` (the call: "LeaseJob", "GetArtifact ...").
inline Status FromGrpc(const std::string& what, const grpc::Status& s) {
  if (s.ok()) return OkStatus();
  return Status(static_cast<StatusCode>(s.error_code()), what + ": " + s.error_message());
}

// UNAVAILABLE, DEADLINE_EXCEEDED and CANCELLED: the coordinator could not be reached, did not
// answer in time, or dropped the call while shutting down (augsweep's clients never cancel their
// own calls). Another attempt may succeed; every call augsweep repeats is safe to repeat.
inline bool IsTransient(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::CANCELLED;
}

// What a call that must get through (CallWithRetry) retries: the transient failures, and
// RESOURCE_EXHAUSTED, which the coordinator answers while its disk is full and stops answering
// once space is freed.
inline bool IsWorthRetrying(const grpc::Status& s) {
  return IsTransient(s) || s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

}  // namespace augsweep
