// The read side of SweepService: status, sweeps, results, texts, events and descriptions, answered
// from a scheduler and its store. The gRPC service serves these to clients; the CLI's --data-dir
// mode calls them directly on a store opened read-only, so the answers are the same either way.
#pragma once

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"
#include "coordinator/scheduler/job_scheduler.h"
#include "coordinator/store/store.h"

namespace augsweep {

class SweepQueries {
 public:
  // Neither is owned; both must outlive the queries.
  SweepQueries(Store* store, JobScheduler* scheduler) : store_(store), scheduler_(scheduler) {}

  StatusOr<v1::SweepStatus> GetStatus(const v1::GetStatusRequest& request) const;
  v1::ListSweepsResponse ListSweeps() const;
  // InvalidArgument for an unknown request.test.
  StatusOr<v1::GetResultsResponse> GetResults(const v1::GetResultsRequest& request) const;
  // Jobs in plan order; a job that has not succeeded comes with its state and no texts. The
  // reply stops before it would pass kMaxTextsReplyBytes (truncated is set then).
  StatusOr<v1::GetTextsResponse> GetTexts(const v1::GetTextsRequest& request) const;
  StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) const;
  // The spec as submitted, and counts of the dataset and its folds (never a text).
  StatusOr<v1::SweepDescription> DescribeSweep(const v1::DescribeSweepRequest& request) const;

 private:
  Store* const store_;
  JobScheduler* const scheduler_;
};

// Under the gRPC message cap (rpc_options.h), with room for one more job.
inline constexpr size_t kMaxTextsReplyBytes = 48 << 20;

}  // namespace augsweep
