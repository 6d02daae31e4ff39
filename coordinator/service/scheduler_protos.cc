#include "coordinator/service/scheduler_protos.h"

#include "coordinator/scheduler/job_records.h"

namespace augsweep {
namespace {

v1::SweepState ToProto(SweepState state) {
  switch (state) {
    case SweepState::kPending:
      return v1::SWEEP_STATE_PENDING;
    case SweepState::kRunning:
      return v1::SWEEP_STATE_RUNNING;
    case SweepState::kSucceeded:
      return v1::SWEEP_STATE_SUCCEEDED;
    case SweepState::kFailed:
      return v1::SWEEP_STATE_FAILED;
    case SweepState::kCancelled:
      return v1::SWEEP_STATE_CANCELLED;
  }
  return v1::SWEEP_STATE_PENDING;
}

}  // namespace

WorkerCapabilities FromProto(const v1::WorkerCapabilities& caps) {
  WorkerCapabilities out;
  for (int kind : caps.job_kinds()) {
    if (kind == v1::GENERATE || kind == v1::FILTER || kind == v1::TRAIN_EVAL)
      out.stages.insert(StageOf(static_cast<v1::JobKind>(kind)));
  }
  out.executor_kinds.insert(caps.executor_kinds().begin(), caps.executor_kinds().end());
  out.device = caps.device();
  out.free_memory_mb = caps.free_memory_mb();
  out.slots = caps.slots() > 0 ? caps.slots() : 1;
  return out;
}

WorkerRegistration FromProto(const v1::RegisterWorkerRequest& request) {
  return WorkerRegistration{request.hostname(), request.slurm_job_id(),
                            FromProto(request.capabilities())};
}

LeaseRequest FromProto(const v1::LeaseJobRequest& request) {
  return LeaseRequest{request.worker_id(), FromProto(request.capabilities()), request.wait_ms()};
}

HeartbeatReport FromProto(const v1::HeartbeatRequest& request) {
  return HeartbeatReport{AttemptRef{request.worker_id(), request.job_key(), request.attempt()},
                         request.progress()};
}

Failure FromProto(const v1::FailJobRequest& request) {
  return Failure{AttemptRef{request.worker_id(), request.job_key(), request.attempt()},
                 request.error(), request.retryable()};
}

AttemptRef FromProto(const v1::GiveBackLeaseRequest& request) {
  return AttemptRef{request.worker_id(), request.job_key(), request.attempt()};
}

Completion FromProto(const v1::CompleteJobRequest& request) {
  const v1::JobResult& result = request.result();
  Completion out;
  out.attempt = AttemptRef{request.worker_id(), result.job_key(), result.attempt()};
  if (result.has_generate()) out.result_stage = JobStage::kGenerate;
  if (result.has_filter()) out.result_stage = JobStage::kFilter;
  if (result.has_train_eval()) out.result_stage = JobStage::kTrainEval;
  out.result = result.SerializeAsString();
  return out;
}

StatusOr<v1::Lease> ToProto(const JobLease& lease) {
  v1::Lease out;
  if (!out.mutable_job()->ParseFromString(lease.job_spec)) {
    return DataLossError("the stored spec of job " + lease.job_key + " does not parse");
  }
  out.set_attempt(lease.attempt);
  out.set_expires_unix_ms(lease.expires_unix_ms);
  return out;
}

v1::SweepStatus ToProto(const SweepProgress& progress) {
  v1::SweepStatus out;
  out.set_sweep_id(progress.sweep_id);
  out.set_name(progress.name);
  out.set_state(ToProto(progress.state));
  for (const StageCounts& c : progress.stages) {
    v1::StageCounts* stage = out.add_stages();
    stage->set_stage(StageName(c.stage));
    stage->set_waiting(c.waiting);
    stage->set_ready(c.ready);
    stage->set_leased(c.leased);
    stage->set_succeeded(c.succeeded);
    stage->set_failed(c.failed);
    stage->set_blocked(c.blocked);
    stage->set_cancelled(c.cancelled);
  }
  out.set_submitted_unix_ms(progress.submitted_unix_ms);
  out.set_eta_seconds(progress.eta_seconds);
  for (const std::string& e : progress.recent_errors) out.add_recent_errors(e);
  out.set_active_workers(progress.active_workers);
  return out;
}

v1::WorkerInfo ToProto(const WorkerEntry& worker) {
  v1::WorkerInfo out;
  out.set_worker_id(worker.worker_id);
  out.set_hostname(worker.hostname);
  out.set_device(worker.device);
  out.set_last_seen_unix_ms(worker.last_seen_unix_ms);
  out.set_current_job(worker.current_job);
  return out;
}

}  // namespace augsweep
