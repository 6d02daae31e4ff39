// The worker-facing gRPC service (augsweep.v1.WorkerService): register, lease, heartbeat,
// complete, fail, give back, and the artifact streams. Thin: the scheduler holds the state
// machine; scheduler_protos.h converts its types to and from these messages.
#pragma once

#include "augsweep/v1/worker_service.grpc.pb.h"
#include "common/metrics/histogram.h"
#include "common/mutex.h"
#include "coordinator/scheduler/job_scheduler.h"
#include "coordinator/store/store.h"
#include "rpc/call_auth.h"

namespace augsweep {

class WorkerServiceImpl final : public v1::WorkerService::Service {
 public:
  // Every method asks `authorizer` first (the worker role). `log`: one stderr line per notable
  // event (submissions, registrations, ignored duplicates).
  WorkerServiceImpl(Store* store, JobScheduler* scheduler, const CallAuthorizer* authorizer,
                    bool log)
      : store_(store), scheduler_(scheduler), authorizer_(authorizer), log_(log) {}

  grpc::Status RegisterWorker(grpc::ServerContext* context,
                              const v1::RegisterWorkerRequest* request,
                              v1::RegisterWorkerResponse* response) override;
  grpc::Status LeaseJob(grpc::ServerContext* context, const v1::LeaseJobRequest* request,
                        v1::LeaseJobResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  grpc::Status CompleteJob(grpc::ServerContext* context, const v1::CompleteJobRequest* request,
                           v1::CompleteJobResponse* response) override;
  grpc::Status FailJob(grpc::ServerContext* context, const v1::FailJobRequest* request,
                       v1::FailJobResponse* response) override;
  grpc::Status GiveBackLease(grpc::ServerContext* context, const v1::GiveBackLeaseRequest* request,
                             v1::GiveBackLeaseResponse* response) override;
  grpc::Status GetArtifact(grpc::ServerContext* context, const v1::GetArtifactRequest* request,
                           grpc::ServerWriter<v1::ArtifactChunk>* writer) override;
  grpc::Status PutArtifact(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ArtifactChunk>* reader,
                           v1::PutArtifactResponse* response) override;

  // How long LeaseJob calls that handed out a job took (for the metrics endpoint).
  Histogram LeaseSeconds() const AUGSWEEP_EXCLUDES(lease_mu_);

 private:
  Store* const store_;
  JobScheduler* const scheduler_;
  const CallAuthorizer* const authorizer_;
  const bool log_;
  mutable Mutex lease_mu_;
  Histogram lease_seconds_ AUGSWEEP_GUARDED_BY(lease_mu_){LatencyBucketsSeconds()};
};

}  // namespace augsweep
