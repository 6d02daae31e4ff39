// The coordinator's state machine: sweeps, jobs, leases, retries, results. Every transition is
// written to the store as one synced WriteSet before it takes effect in memory, so a kill -9 at
// any point loses nothing that was acknowledged, and Load() on the same store resumes every sweep.
//
// Job states (augsweep.v1.JobState): WAITING (a dependency has not succeeded) → READY → LEASED →
// SUCCEEDED; a failed attempt goes back to READY until max_attempts failures, then FAILED, and the
// jobs that depend on it become BLOCKED (visible in the status, not a hang). An expired lease (the
// worker stopped heartbeating) counts as a failed attempt; a lease the worker gives back (SIGTERM,
// preemption) does not. Completion is idempotent: a job completes once, any later completion of
// it is ignored and logged.
//
// Thread-safe: one mutex guards all state; LeaseJob long-polls on a condition variable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "augsweep/v1/records.pb.h"
#include "augsweep/v1/sweep_service.pb.h"
#include "augsweep/v1/worker_service.pb.h"
#include "common/status.h"
#include "coordinator/planner/prepare_sweep.h"
#include "coordinator/scheduler/result_aggregation.h"
#include "coordinator/store/store.h"

namespace augsweep {

struct SchedulerOptions {
  int64_t lease_ms = 60'000;            // a lease not renewed for this long expires
  int32_t heartbeat_interval_ms = 5'000;  // told to workers; well below lease_ms
  int32_t max_attempts = 3;             // failed attempts before a job is FAILED
  std::function<int64_t()> now_ms;      // unix time in ms; the system clock when empty
};

struct SubmitOutcome {
  std::string sweep_id;
  int32_t unique_jobs = 0;
  int32_t jobs_already_done = 0;
};

class JobScheduler {
 public:
  // Loads every sweep and job from `store` (not owned; must outlive the scheduler). Leases held
  // when the coordinator stopped stay valid for one more lease length from now, so workers that
  // are still running can heartbeat in; the others' jobs are offered again after that.
  static StatusOr<std::unique_ptr<JobScheduler>> Load(Store* store, SchedulerOptions options);

  // Stores the sweep, its artifacts and its jobs. Jobs whose key is already known are shared;
  // FAILED, BLOCKED or CANCELLED ones get a fresh start.
  StatusOr<SubmitOutcome> Submit(const PreparedSweep& sweep, const std::string& spec_yaml);

  v1::RegisterWorkerResponse RegisterWorker(const v1::RegisterWorkerRequest& request);
  // Waits up to request.wait_ms() for a READY job the worker can run; an empty response if none.
  StatusOr<v1::LeaseJobResponse> LeaseJob(const v1::LeaseJobRequest& request);
  v1::HeartbeatResponse Heartbeat(const v1::HeartbeatRequest& request);
  StatusOr<v1::CompleteJobResponse> CompleteJob(const v1::CompleteJobRequest& request);
  StatusOr<v1::FailJobResponse> FailJob(const v1::FailJobRequest& request);

  StatusOr<v1::SweepStatus> GetStatus(const std::string& sweep_id);
  std::vector<v1::SweepStatus> ListSweeps();
  StatusOr<v1::GetResultsResponse> GetResults(const std::string& sweep_id);
  StatusOr<int32_t> CancelSweep(const std::string& sweep_id);
  StatusOr<int32_t> RetryFailed(const std::string& sweep_id);
  std::vector<v1::WorkerInfo> ListWorkers();

  // Re-offers the jobs whose lease ran out. Called by LeaseJob and periodically by the server.
  void ExpireLeases();
  // Wakes every waiting LeaseJob and makes later ones return at once (server shutdown).
  void Shutdown();

  const SchedulerOptions& options() const { return options_; }

 private:
  JobScheduler(Store* store, SchedulerOptions options);
  Status LoadState();

  int64_t Now() const;
  // Writes `writes` (synced) and then applies `jobs` to memory. Caller holds mu_.
  Status CommitJobs(WriteSet& writes, std::vector<v1::JobRecord>& jobs);
  void AddEvent(WriteSet& writes, const std::string& text) const;
  bool DependenciesSucceeded(const v1::JobSpec& spec,
                             const std::map<std::string, v1::JobRecord>& pending) const;
  bool WorkerCanRun(const v1::WorkerCapabilities& caps, const v1::JobSpec& job) const;
  // Whether a sweep that is not cancelled shares `job`. Caller holds mu_.
  bool InLiveSweep(const v1::JobRecord& job) const;
  // Records for `key`'s dependents after it succeeded or failed. Caller holds mu_.
  void UpdateDependents(const std::string& key, v1::JobState outcome, std::vector<v1::JobRecord>& out) const;
  // A failed attempt: back to READY, or FAILED with dependents BLOCKED. Caller holds mu_.
  void RecordFailure(v1::JobRecord& job, const std::string& error, bool retryable,
                     std::vector<v1::JobRecord>& changed) const;
  void ExpireLeasesLocked();
  v1::SweepStatus StatusLocked(const v1::SweepRecord& sweep) const;
  StatusOr<CellResult> MacroAucLocked(const std::string& job_key);
  void TouchWorker(const std::string& worker_id, const std::string& current_job);

  Store* const store_;
  const SchedulerOptions options_;

  std::mutex mu_;
  std::condition_variable job_ready_;
  bool shutdown_ = false;
  std::map<std::string, v1::SweepRecord> sweeps_;
  std::map<std::string, v1::JobRecord> jobs_;
  std::vector<std::string> job_order_;  // keys in submission order: the lease order
  std::map<std::string, std::vector<std::string>> dependents_;  // key → keys that depend on it
  std::map<std::string, std::optional<double>> macro_auc_cache_;  // results never change
  std::map<std::string, v1::WorkerInfo> workers_;
  std::map<v1::JobKind, std::pair<double, int>> durations_;  // seconds summed, count: for the ETA
  uint64_t sweep_counter_ = 0;
};

}  // namespace augsweep
