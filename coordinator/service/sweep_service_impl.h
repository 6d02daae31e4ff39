// The user-facing gRPC service (augsweep.v1.SweepService): submit, status, results, cancel,
// retry, workers, events, texts. Thin: validation and planning live in the planner, state in the
// scheduler; SweepQueries answers the read-only methods.
#pragma once

#include "augsweep/v1/sweep_service.grpc.pb.h"
#include "coordinator/scheduler/job_scheduler.h"
#include "coordinator/service/sweep_queries.h"
#include "coordinator/store/store.h"
#include "rpc/call_auth.h"

namespace augsweep {

class SweepServiceImpl final : public v1::SweepService::Service {
 public:
  // Every method asks `authorizer` first (the client role). `log`: one stderr line per notable
  // event (submissions, registrations, ignored duplicates).
  SweepServiceImpl(Store* store, JobScheduler* scheduler, const CallAuthorizer* authorizer,
                   bool log)
      : queries_(store, scheduler), scheduler_(scheduler), authorizer_(authorizer), log_(log) {}

  grpc::Status SubmitSweep(grpc::ServerContext* context,
                           grpc::ServerReader<v1::SubmitSweepRequest>* reader,
                           v1::SubmitSweepResponse* response) override;
  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest* request,
                         v1::SweepStatus* response) override;
  grpc::Status ListSweeps(grpc::ServerContext* context, const v1::ListSweepsRequest* request,
                          v1::ListSweepsResponse* response) override;
  grpc::Status GetResults(grpc::ServerContext* context, const v1::GetResultsRequest* request,
                          v1::GetResultsResponse* response) override;
  grpc::Status CancelSweep(grpc::ServerContext* context, const v1::CancelSweepRequest* request,
                           v1::CancelSweepResponse* response) override;
  grpc::Status RetryFailed(grpc::ServerContext* context, const v1::RetryFailedRequest* request,
                           v1::RetryFailedResponse* response) override;
  grpc::Status ListWorkers(grpc::ServerContext* context, const v1::ListWorkersRequest* request,
                           v1::ListWorkersResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status GetTexts(grpc::ServerContext* context, const v1::GetTextsRequest* request,
                        v1::GetTextsResponse* response) override;
  grpc::Status DescribeSweep(grpc::ServerContext* context, const v1::DescribeSweepRequest* request,
                             v1::SweepDescription* response) override;

 private:
  const SweepQueries queries_;  // the read-only methods
  JobScheduler* const scheduler_;
  const CallAuthorizer* const authorizer_;
  const bool log_;
};

}  // namespace augsweep
