#include "worker/coordinator_client.h"

#include <algorithm>

#include "common/sha256.h"
#include "common/tunables.h"
#include "rpc/grpc_status.h"

namespace augsweep {
namespace {

// `policy` with attempts of `attempt_deadline_ms`.
RetryPolicy WithAttemptDeadline(RetryPolicy policy, int64_t attempt_deadline_ms) {
  policy.attempt_deadline_ms = attempt_deadline_ms;
  return policy;
}

}  // namespace

CoordinatorClient::CoordinatorClient(const std::string& address, const DialCredentials& dial) {
  StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeCoordinatorChannel(address, dial);
  channel_status_ = channel.status();
  if (channel.ok()) stub_ = v1::WorkerService::NewStub(*channel);
}

Status CoordinatorClient::Retry(const std::string& what, const RetryPolicy& policy,
                                const std::function<grpc::Status(Deadline)>& call) {
  if (!channel_status_.ok()) return channel_status_;
  bool refused = false;
  return CallWithRetry(what, policy, give_up_, [&](Deadline deadline) {
    grpc::Status s = call(deadline);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && !refused) {
      refused = true;
      on_refused_(FromGrpc(what, s));
    }
    return s;
  });
}

StatusOr<v1::RegisterWorkerResponse> CoordinatorClient::Register(
    const v1::RegisterWorkerRequest& request) {
  v1::RegisterWorkerResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("RegisterWorker", PersistentRetry(), [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    context.set_wait_for_ready(true);
    return stub_->RegisterWorker(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::LeaseJobResponse> CoordinatorClient::Lease(const v1::LeaseJobRequest& request) {
  v1::LeaseJobResponse response;
  const RetryPolicy policy = WithAttemptDeadline(
      PersistentRetry(), request.wait_ms() + GetTunables().rpc_call_deadline_ms);
  AUGSWEEP_RETURN_IF_ERROR(Retry("LeaseJob", policy, [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    return stub_->LeaseJob(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::HeartbeatResponse> CoordinatorClient::Heartbeat(const v1::HeartbeatRequest& request) {
  if (!channel_status_.ok()) return channel_status_;
  v1::HeartbeatResponse response;
  grpc::ClientContext context;
  context.set_deadline(DeadlineIn(GetTunables().heartbeat_deadline_ms));
  grpc::Status s = stub_->Heartbeat(&context, request, &response);
  if (!s.ok()) return FromGrpc("Heartbeat", s);
  return response;
}

StatusOr<v1::CompleteJobResponse> CoordinatorClient::Complete(
    const v1::CompleteJobRequest& request) {
  v1::CompleteJobResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("CompleteJob", PersistentRetry(), [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    return stub_->CompleteJob(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::FailJobResponse> CoordinatorClient::Fail(const v1::FailJobRequest& request) {
  v1::FailJobResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("FailJob", PersistentRetry(), [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    return stub_->FailJob(&context, request, &response);
  }));
  return response;
}

Status CoordinatorClient::GiveBack(const v1::GiveBackLeaseRequest& request) {
  const int64_t ms = GetTunables().give_back_deadline_ms;
  return Retry("GiveBackLease", RetryPolicy{ms, ms}, [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    v1::GiveBackLeaseResponse response;
    return stub_->GiveBackLease(&context, request, &response);
  });
}

// An artifact stream may take longer than one call: ten call deadlines per attempt.
static RetryPolicy ArtifactPolicy() {
  return WithAttemptDeadline(PersistentRetry(), 10 * GetTunables().rpc_call_deadline_ms);
}

StatusOr<std::string> CoordinatorClient::Fetch(const std::string& artifact_id) {
  const RetryPolicy artifact_policy = ArtifactPolicy();
  std::string data;
  std::string sha;
  AUGSWEEP_RETURN_IF_ERROR(
      Retry("GetArtifact " + artifact_id, artifact_policy, [&](Deadline deadline) {
        data.clear();
        grpc::ClientContext context;
        context.set_deadline(deadline);
        v1::GetArtifactRequest request;
        request.set_artifact_id(artifact_id);
        auto reader = stub_->GetArtifact(&context, request);
        v1::ArtifactChunk chunk;
        while (reader->Read(&chunk)) {
          data.append(chunk.data());
          if (chunk.last()) sha = chunk.sha256();
        }
        return reader->Finish();
      }));
  if (Sha256Hex(data) != sha)
    return DataLossError("artifact " + artifact_id + " arrived damaged (sha256 differs)");
  return data;
}

Status CoordinatorClient::Put(const std::string& artifact_id, const std::string& bytes) {
  const RetryPolicy artifact_policy = ArtifactPolicy();
  const std::string sha = Sha256Hex(bytes);
  return Retry("PutArtifact " + artifact_id, artifact_policy, [&](Deadline deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    v1::PutArtifactResponse response;
    auto writer = stub_->PutArtifact(&context, &response);
    size_t offset = 0;
    do {
      v1::ArtifactChunk chunk;
      if (offset == 0) {
        chunk.set_artifact_id(artifact_id);
        chunk.set_total_size(bytes.size());
      }
      const size_t n = std::min(kStreamChunkBytes, bytes.size() - offset);
      chunk.set_offset(offset);
      chunk.set_data(bytes.substr(offset, n));
      offset += n;
      if (offset == bytes.size()) {
        chunk.set_last(true);
        chunk.set_sha256(sha);
      }
      if (!writer->Write(chunk)) break;
    } while (offset < bytes.size());
    writer->WritesDone();
    return writer->Finish();
  });
}

}  // namespace augsweep
