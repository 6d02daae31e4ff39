#include "coordinator/service/worker_service_impl.h"

#include <iostream>

#include "coordinator/service/artifact_streams.h"
#include "coordinator/service/grpc_status.h"

namespace augsweep {

grpc::Status WorkerServiceImpl::RegisterWorker(grpc::ServerContext*, const v1::RegisterWorkerRequest* request,
                                               v1::RegisterWorkerResponse* response) {
  *response = scheduler_->RegisterWorker(*request);
  if (log_) std::cerr << "coordinator: worker " << response->worker_id() << " registered ("
            << request->capabilities().device() << ")\n";
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::LeaseJob(grpc::ServerContext*, const v1::LeaseJobRequest* request,
                                         v1::LeaseJobResponse* response) {
  StatusOr<v1::LeaseJobResponse> lease = scheduler_->LeaseJob(*request);
  if (!lease.ok()) return ToGrpc(lease.status());
  *response = *lease;
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::Heartbeat(grpc::ServerContext*, const v1::HeartbeatRequest* request,
                                          v1::HeartbeatResponse* response) {
  *response = scheduler_->Heartbeat(*request);
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::CompleteJob(grpc::ServerContext*, const v1::CompleteJobRequest* request,
                                            v1::CompleteJobResponse* response) {
  StatusOr<v1::CompleteJobResponse> r = scheduler_->CompleteJob(*request);
  if (!r.ok()) return ToGrpc(r.status());
  if (!r->accepted() && log_) {
    std::cerr << "coordinator: ignored a duplicate completion of " << request->result().job_key()
              << " attempt " << request->result().attempt() << " from " << request->worker_id() << "\n";
  }
  *response = *r;
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::FailJob(grpc::ServerContext*, const v1::FailJobRequest* request,
                                        v1::FailJobResponse* response) {
  StatusOr<v1::FailJobResponse> r = scheduler_->FailJob(*request);
  if (!r.ok()) return ToGrpc(r.status());
  *response = *r;
  return grpc::Status::OK;
}

grpc::Status WorkerServiceImpl::GetArtifact(grpc::ServerContext*, const v1::GetArtifactRequest* request,
                                            grpc::ServerWriter<v1::ArtifactChunk>* writer) {
  return ServeArtifact(*store_, *request, writer);
}

grpc::Status WorkerServiceImpl::PutArtifact(grpc::ServerContext*, grpc::ServerReader<v1::ArtifactChunk>* reader,
                                            v1::PutArtifactResponse* response) {
  return ReceiveArtifact(*store_, reader, response);
}

}  // namespace augsweep
