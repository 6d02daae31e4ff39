#include "worker/coordinator_client.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/sha256.h"

namespace augsweep {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;
constexpr int64_t kCallDeadlineMs = 30'000;
constexpr int64_t kRetryForMs = 15 * 60'000;  // long enough for a coordinator job to be requeued
constexpr size_t kChunkBytes = 1 << 20;

std::chrono::system_clock::time_point DeadlineIn(int64_t ms) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}

Status FromGrpcStatus(const std::string& what, const grpc::Status& s) {
  return Status(static_cast<StatusCode>(s.error_code()), what + ": " + s.error_message());
}

// CANCELLED too: this client never cancels its own calls, so CANCELLED means a coordinator that
// is shutting down (SIGTERM) dropped the call, and it comes back after its restart. Repeating a
// call is as safe as after UNAVAILABLE (completion is idempotent per job and attempt).
bool IsTransient(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::CANCELLED;
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeCoordinatorChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  // gRPC's default reconnect backoff grows to two minutes; a restarted coordinator should be
  // found again within a second or two. (The minimum backoff is left alone: gRPC also uses it
  // as the connect timeout, and a slow link needs more than a fraction of a second.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

CoordinatorClient::CoordinatorClient(const std::string& address)
    : stub_(v1::WorkerService::NewStub(MakeCoordinatorChannel(address))) {}

Status CoordinatorClient::Retry(const std::string& what, int64_t max_total_ms,
                                const std::function<grpc::Status()>& call) {
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_total_ms);
  int backoff_ms = 100;
  while (true) {
    grpc::Status s = call();
    if (s.ok()) return OkStatus();
    if (!IsTransient(s) || give_up_() || std::chrono::steady_clock::now() > give_up_at) {
      return FromGrpcStatus(what, s);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 2000);
  }
}

StatusOr<v1::RegisterWorkerResponse> CoordinatorClient::Register(const v1::RegisterWorkerRequest& request) {
  v1::RegisterWorkerResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("RegisterWorker", kRetryForMs, [&] {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(kCallDeadlineMs));
    context.set_wait_for_ready(true);
    return stub_->RegisterWorker(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::LeaseJobResponse> CoordinatorClient::Lease(const v1::LeaseJobRequest& request) {
  v1::LeaseJobResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("LeaseJob", kRetryForMs, [&] {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(request.wait_ms() + kCallDeadlineMs));
    return stub_->LeaseJob(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::HeartbeatResponse> CoordinatorClient::Heartbeat(const v1::HeartbeatRequest& request) {
  v1::HeartbeatResponse response;
  grpc::ClientContext context;
  context.set_deadline(DeadlineIn(5'000));
  grpc::Status s = stub_->Heartbeat(&context, request, &response);
  if (!s.ok()) return FromGrpcStatus("Heartbeat", s);
  return response;
}

StatusOr<v1::CompleteJobResponse> CoordinatorClient::Complete(const v1::CompleteJobRequest& request) {
  v1::CompleteJobResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("CompleteJob", kRetryForMs, [&] {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(kCallDeadlineMs));
    return stub_->CompleteJob(&context, request, &response);
  }));
  return response;
}

StatusOr<v1::FailJobResponse> CoordinatorClient::Fail(const v1::FailJobRequest& request,
                                                      int64_t retry_for_ms) {
  v1::FailJobResponse response;
  AUGSWEEP_RETURN_IF_ERROR(Retry("FailJob", retry_for_ms, [&] {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(std::min(retry_for_ms, kCallDeadlineMs)));
    return stub_->FailJob(&context, request, &response);
  }));
  return response;
}

StatusOr<std::string> CoordinatorClient::Fetch(const std::string& artifact_id) {
  std::string data;
  std::string sha;
  AUGSWEEP_RETURN_IF_ERROR(Retry("GetArtifact " + artifact_id, kRetryForMs, [&] {
    data.clear();
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(10 * kCallDeadlineMs));
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
  if (Sha256Hex(data) != sha) return DataLossError("artifact " + artifact_id + " arrived damaged (sha256 differs)");
  return data;
}

Status CoordinatorClient::Put(const std::string& artifact_id, const std::string& bytes) {
  const std::string sha = Sha256Hex(bytes);
  return Retry("PutArtifact " + artifact_id, kRetryForMs, [&] {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(10 * kCallDeadlineMs));
    v1::PutArtifactResponse response;
    auto writer = stub_->PutArtifact(&context, &response);
    size_t offset = 0;
    do {
      v1::ArtifactChunk chunk;
      if (offset == 0) {
        chunk.set_artifact_id(artifact_id);
        chunk.set_total_size(bytes.size());
      }
      const size_t n = std::min(kChunkBytes, bytes.size() - offset);
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
