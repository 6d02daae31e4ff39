// The one place where the scheduler's own types (coordinator/scheduler/scheduler_types.h) meet
// the wire messages of augsweep.v1: each gRPC handler converts its request with a From* and its
// reply with a To*.
#pragma once

#include "augsweep/v1/sweep_service.pb.h"
#include "augsweep/v1/worker_service.pb.h"
#include "common/status.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

WorkerCapabilities FromProto(const v1::WorkerCapabilities& caps);
WorkerRegistration FromProto(const v1::RegisterWorkerRequest& request);
LeaseRequest FromProto(const v1::LeaseJobRequest& request);
HeartbeatReport FromProto(const v1::HeartbeatRequest& request);
Failure FromProto(const v1::FailJobRequest& request);
AttemptRef FromProto(const v1::GiveBackLeaseRequest& request);
Completion FromProto(const v1::CompleteJobRequest& request);

// InvalidArgument when the lease's job spec does not parse (it was stored by this coordinator,
// so that is data loss in the store).
StatusOr<v1::Lease> ToProto(const JobLease& lease);
v1::SweepStatus ToProto(const SweepProgress& progress);
v1::WorkerInfo ToProto(const WorkerEntry& worker);

}  // namespace augsweep
