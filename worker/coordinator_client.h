// The worker's side of augsweep.v1.WorkerService: RPCs with deadlines, retried with backoff while
// the coordinator is unreachable (it may be restarting), and artifact streams with checksums.
// Thread-safe: the heartbeat thread and the job thread share one client.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "augsweep/v1/worker_service.grpc.pb.h"
#include "common/status.h"
#include "worker/artifact_source.h"

namespace augsweep {

// A channel to `address` that reconnects within seconds after the server comes back.
std::shared_ptr<grpc::Channel> MakeCoordinatorChannel(const std::string& address);

class CoordinatorClient : public ArtifactSource {
 public:
  explicit CoordinatorClient(const std::string& address);

  // Retries transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED: a coordinator shutting
  // down) until `give_up()` returns true or the total retry time passes; other errors return at
  // once.
  void set_give_up(std::function<bool()> give_up) { give_up_ = std::move(give_up); }

  StatusOr<v1::RegisterWorkerResponse> Register(const v1::RegisterWorkerRequest& request);
  StatusOr<v1::LeaseJobResponse> Lease(const v1::LeaseJobRequest& request);
  // One attempt, short deadline: a missed heartbeat is retried by the next one.
  StatusOr<v1::HeartbeatResponse> Heartbeat(const v1::HeartbeatRequest& request);
  StatusOr<v1::CompleteJobResponse> Complete(const v1::CompleteJobRequest& request);
  // A failure is a result the coordinator must hear of: retried as long as Complete (15 minutes:
  // a requeued coordinator job), unless `retry_for_ms` is shorter (the give-back on SIGTERM).
  StatusOr<v1::FailJobResponse> Fail(const v1::FailJobRequest& request,
                                     int64_t retry_for_ms = 15 * 60'000);

  StatusOr<std::string> Fetch(const std::string& artifact_id) override;
  Status Put(const std::string& artifact_id, const std::string& bytes) override;

 private:
  // Runs `call` until it succeeds, fails permanently, or retrying is over.
  Status Retry(const std::string& what, int64_t max_total_ms, const std::function<grpc::Status()>& call);

  std::unique_ptr<v1::WorkerService::Stub> stub_;
  std::function<bool()> give_up_ = [] { return false; };
};

}  // namespace augsweep
