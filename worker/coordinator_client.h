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
#include "rpc/rpc_options.h"
#include "worker/artifact_exchange.h"

namespace augsweep {

class CoordinatorClient : public ArtifactExchange {
 public:
  // A client of the coordinator at `address`, dialed with `dial` (TLS, token). When that is not
  // possible (plaintext off loopback), channel_status() says why and every call returns it.
  CoordinatorClient(const std::string& address, const DialCredentials& dial);
  const Status& channel_status() const { return channel_status_; }

  // Retries transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED: a coordinator shutting
  // down) and RESOURCE_EXHAUSTED (its disk is full) until `give_up()` returns true or the total
  // retry time passes; other errors return at once.
  void set_give_up(std::function<bool()> give_up) { give_up_ = std::move(give_up); }
  // Told of the first RESOURCE_EXHAUSTED of each call, which it goes on retrying (the worker
  // logs it: nothing else would show why it waits).
  void set_on_refused(std::function<void(const Status&)> on_refused) {
    on_refused_ = std::move(on_refused);
  }

  StatusOr<v1::RegisterWorkerResponse> Register(const v1::RegisterWorkerRequest& request);
  StatusOr<v1::LeaseJobResponse> Lease(const v1::LeaseJobRequest& request);
  // One attempt, short deadline: a missed heartbeat is retried by the next one.
  StatusOr<v1::HeartbeatResponse> Heartbeat(const v1::HeartbeatRequest& request);
  StatusOr<v1::CompleteJobResponse> Complete(const v1::CompleteJobRequest& request);
  // A failure is a result the coordinator must hear of: retried as long as Complete (15 minutes:
  // a requeued coordinator job).
  StatusOr<v1::FailJobResponse> Fail(const v1::FailJobRequest& request);
  // Returns a lease unfinished (SIGTERM, preemption). Tried for the give_back_deadline_ms
  // tunable only: a worker that is stopping cannot wait, and an unacknowledged lease expires.
  Status GiveBack(const v1::GiveBackLeaseRequest& request);

  StatusOr<std::string> Fetch(const std::string& artifact_id) override;
  Status Put(const std::string& artifact_id, const std::string& bytes) override;

 private:
  using Deadline = std::chrono::system_clock::time_point;
  // CallWithRetry (rpc/rpc_options.h), giving up early when give_up_() says so.
  Status Retry(const std::string& what, const RetryPolicy& policy,
               const std::function<grpc::Status(Deadline)>& call);

  Status channel_status_;
  std::unique_ptr<v1::WorkerService::Stub> stub_;
  std::function<bool()> give_up_ = [] { return false; };
  std::function<void(const Status&)> on_refused_ = [](const Status&) {};
};

}  // namespace augsweep
