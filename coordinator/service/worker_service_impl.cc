#include "coordinator/service/worker_service_impl.h"

#include <chrono>
#include <iostream>

#include "coordinator/service/artifact_streams.h"
#include "coordinator/service/scheduler_protos.h"
#include "rpc/grpc_status.h"

namespace augsweep {

grpc::Status WorkerServiceImpl::RegisterWorker(grpc::ServerContext* context,
                                               const v1::RegisterWorkerRequest* request,
                                               v1::RegisterWorkerResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "RegisterWorker");
      !denied.ok())
    return denied;
  response->set_worker_id(scheduler_->RegisterWorker(FromProto(*request)));
  response->set_heartbeat_interval_ms(scheduler_->options().heartbeat_interval_ms);
  if (log_)
    std::cerr << "coordinator: worker " << response->worker_id() << " registered ("
              << request->capabilities().device() << ")\n";
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::LeaseJob(grpc::ServerContext* context,
                                         const v1::LeaseJobRequest* request,
                                         v1::LeaseJobResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "LeaseJob");
      !denied.ok())
    return denied;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<std::optional<JobLease>> lease = scheduler_->LeaseJob(FromProto(*request));
  if (!lease.ok()) return ToGrpc(lease.status());
  if (!lease->has_value()) return grpc::Status::OK;  // nothing to do within wait_ms
  StatusOr<v1::Lease> wire = ToProto(**lease);
  if (!wire.ok()) return ToGrpc(wire.status());
  *response->mutable_lease() = std::move(wire).value();
  {
    MutexLock lock(&lease_mu_);
    lease_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return grpc::Status::OK;
}

Histogram WorkerServiceImpl::LeaseSeconds() const {
  MutexLock lock(&lease_mu_);
  return lease_seconds_;
}

grpc::Status WorkerServiceImpl::Heartbeat(grpc::ServerContext* context,
                                          const v1::HeartbeatRequest* request,
                                          v1::HeartbeatResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "Heartbeat");
      !denied.ok())
    return denied;
  const HeartbeatAnswer answer = scheduler_->Heartbeat(FromProto(*request));
  response->set_cancelled(answer.cancelled);
  response->set_expires_unix_ms(answer.expires_unix_ms);
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::CompleteJob(grpc::ServerContext* context,
                                            const v1::CompleteJobRequest* request,
                                            v1::CompleteJobResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "CompleteJob");
      !denied.ok())
    return denied;
  StatusOr<bool> accepted = scheduler_->CompleteJob(FromProto(*request));
  if (!accepted.ok()) return ToGrpc(accepted.status());
  response->set_accepted(*accepted);
  if (!*accepted && log_) {
    std::cerr << "coordinator: ignored a duplicate completion of " << request->result().job_key()
              << " attempt " << request->result().attempt() << " from " << request->worker_id()
              << "\n";
  }
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::FailJob(grpc::ServerContext* context,
                                        const v1::FailJobRequest* request,
                                        v1::FailJobResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "FailJob");
      !denied.ok())
    return denied;
  StatusOr<bool> will_retry = scheduler_->FailJob(FromProto(*request));
  if (!will_retry.ok()) return ToGrpc(will_retry.status());
  response->set_will_retry(*will_retry);
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::GiveBackLease(grpc::ServerContext* context,
                                              const v1::GiveBackLeaseRequest* request,
                                              v1::GiveBackLeaseResponse*) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "GiveBackLease");
      !denied.ok())
    return denied;
  return ToGrpc(scheduler_->GiveBackLease(FromProto(*request)));
}

grpc::Status WorkerServiceImpl::GetArtifact(grpc::ServerContext* context,
                                            const v1::GetArtifactRequest* request,
                                            grpc::ServerWriter<v1::ArtifactChunk>* writer) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "GetArtifact");
      !denied.ok())
    return denied;
  return ServeArtifact(*store_, *request, writer);
}

grpc::Status WorkerServiceImpl::PutArtifact(grpc::ServerContext* context,
                                            grpc::ServerReader<v1::ArtifactChunk>* reader,
                                            v1::PutArtifactResponse* response) {
  if (grpc::Status denied = authorizer_->Authorize(*context, Role::kWorker, "PutArtifact");
      !denied.ok())
    return denied;
  return ReceiveArtifact(*store_, reader, response);
}

}  // namespace augsweep
