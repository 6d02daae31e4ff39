// The coordinator's state machine: sweeps, jobs, leases, retries, results. Every transition is
// applied to memory under the lock and its WriteSet queued for the store in the same order
// (GroupCommit); the call that made it answers only once that WriteSet, and every one queued
// before it, is synced. So a kill -9 at any point loses nothing that was acknowledged, Load() on
// the same store resumes every sweep, and one sync carries every transition that arrived while
// the previous one was written. A write that fails (a full disk) fails its call and every call
// queued after it, and memory is reloaded from the store before new transitions are taken.
//
// Job states (augsweep.v1.JobState): WAITING (a dependency has not succeeded) → READY → LEASED →
// SUCCEEDED; a failed attempt goes back to READY until max_attempts failures, then FAILED, and the
// jobs that depend on it become BLOCKED (visible in the status, not a hang). An expired lease (the
// worker stopped heartbeating) counts as a failed attempt; a lease the worker gives back (SIGTERM,
// preemption) does not. Completion is idempotent: a job completes once, any later completion of
// it is ignored and logged.
//
// Its interface speaks the scheduler's own types (scheduler_types.h); the gRPC services convert
// them to and from wire messages. It keeps the workers in a WorkerRegistry and computes its
// status view with sweep_progress.h.
//
// Thread-safe: one mutex guards the job state; LeaseJob long-polls on a condition variable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "augsweep/v1/records.pb.h"  // the stored records it keeps in memory (private members)
#include "common/mutex.h"
#include "common/status.h"
#include "common/tunables.h"
#include "coordinator/planner/prepare_sweep.h"
#include "coordinator/scheduler/scheduler_types.h"
#include "coordinator/scheduler/sweep_progress.h"
#include "coordinator/scheduler/worker_registry.h"
#include "coordinator/store/group_commit.h"
#include "coordinator/store/store.h"

namespace augsweep {

// Defaults from the tunables table (common/tunables_def.h); the coordinator's flags override.
struct SchedulerOptions {
  int64_t lease_ms = GetTunables().lease_ms;  // a lease not renewed for this long expires
  int32_t heartbeat_interval_ms = static_cast<int32_t>(GetTunables().heartbeat_interval_ms);
  int32_t max_attempts = static_cast<int32_t>(GetTunables().max_attempts);
  std::function<int64_t()> now_ms;  // unix time in ms; the system clock when empty
};

class JobScheduler {
 public:
  // Loads every sweep and job from `store` (not owned; must outlive the scheduler). Leases held
  // when the coordinator stopped stay valid for one more lease length from now, so workers that
  // are still running can heartbeat in; the others' jobs are offered again after that.
  static StatusOr<std::unique_ptr<JobScheduler>> Load(Store* store, SchedulerOptions options);

  // Stores the sweep, its artifacts and its jobs. Jobs whose key is already known are shared;
  // FAILED, BLOCKED or CANCELLED ones get a fresh start.
  StatusOr<SubmitOutcome> Submit(const PreparedSweep& sweep, const std::string& spec_yaml)
      AUGSWEEP_EXCLUDES(mu_);

  // The new worker's id; it heartbeats every options().heartbeat_interval_ms.
  std::string RegisterWorker(const WorkerRegistration& registration);
  // Waits up to request.wait_ms (at most a minute) for a READY job the worker can run; nullopt
  // if none came.
  StatusOr<std::optional<JobLease>> LeaseJob(const LeaseRequest& request) AUGSWEEP_EXCLUDES(mu_);
  HeartbeatAnswer Heartbeat(const HeartbeatReport& report) AUGSWEEP_EXCLUDES(mu_);
  // Whether the result was accepted (false: a duplicate or a completion of a cancelled job).
  StatusOr<bool> CompleteJob(const Completion& completion) AUGSWEEP_EXCLUDES(mu_);
  // Whether the job will be tried again. A report on a lease that is gone changes nothing.
  StatusOr<bool> FailJob(const Failure& failure) AUGSWEEP_EXCLUDES(mu_);
  // The worker returns a lease it will not finish (SIGTERM, preemption): the job is READY again
  // at once, and the attempt is not counted as a failure.
  Status GiveBackLease(const AttemptRef& attempt) AUGSWEEP_EXCLUDES(mu_);

  StatusOr<SweepProgress> GetStatus(const std::string& sweep_id) AUGSWEEP_EXCLUDES(mu_);
  std::vector<SweepProgress> ListSweeps() AUGSWEEP_EXCLUDES(mu_);  // in submission order
  StatusOr<SweepCells> GetResults(const std::string& sweep_id) AUGSWEEP_EXCLUDES(mu_);
  // The sweep's generate and filter jobs in plan order, with the stored result of those that
  // succeeded.
  StatusOr<std::vector<SetJobOutcome>> GetSetJobs(const std::string& sweep_id)
      AUGSWEEP_EXCLUDES(mu_);
  StatusOr<int32_t> CancelSweep(const std::string& sweep_id) AUGSWEEP_EXCLUDES(mu_);
  StatusOr<int32_t> RetryFailed(const std::string& sweep_id) AUGSWEEP_EXCLUDES(mu_);
  std::vector<WorkerEntry> ListWorkers() const { return workers_.List(); }
  SchedulerStats Stats() const AUGSWEEP_EXCLUDES(mu_);

  // Re-offers the jobs whose lease ran out. Called by LeaseJob and periodically by the server.
  void ExpireLeases() AUGSWEEP_EXCLUDES(mu_);
  // Wakes every waiting LeaseJob and makes later ones return at once (server shutdown).
  void Shutdown() AUGSWEEP_EXCLUDES(mu_);

  const SchedulerOptions& options() const { return options_; }

 private:
  JobScheduler(Store* store, SchedulerOptions options);
  // Replaces the sweeps, jobs and indexes in memory with what the store holds.
  Status LoadStateLocked() AUGSWEEP_REQUIRES(mu_);
  // Stores `job` as jobs_[its key] and updates the indexes; every change of a job's state or
  // lease expiry goes through it.
  void SetJobLocked(v1::JobRecord job) AUGSWEEP_REQUIRES(mu_);
  // Appends `key` (in jobs_) to job_order_ and indexes it.
  void AppendToOrderLocked(const std::string& key) AUGSWEEP_REQUIRES(mu_);

  int64_t Now() const;
  // Applies `jobs` to memory and queues them with `writes` for the store; returns the ticket
  // to pass to AwaitDurable once mu_ is released.
  uint64_t StageJobs(WriteSet& writes, std::vector<v1::JobRecord>& jobs) AUGSWEEP_REQUIRES(mu_);
  // Waits until the transition of `ticket` is on disk. If its write failed, memory is reloaded
  // from the store (it was ahead of it) before the error is returned.
  Status AwaitDurable(uint64_t ticket) AUGSWEEP_EXCLUDES(mu_);
  // LeaseJob's work under mu_: the lease (nullopt when none came in time) and its ticket.
  StatusOr<std::optional<JobLease>> LeaseJobLocked(const LeaseRequest& request, uint64_t* ticket)
      AUGSWEEP_REQUIRES(mu_);
  // One line of the sweep's history (an EventRecord in the events family), in `writes`.
  void AddJobEvent(WriteSet& writes, const v1::JobRecord& job, const std::string& text) const;
  void AddSweepEvent(WriteSet& writes, const std::string& sweep_id, const std::string& text) const;
  bool DependenciesSucceeded(const v1::JobSpec& spec,
                             const std::map<std::string, v1::JobRecord>& pending) const
      AUGSWEEP_REQUIRES(mu_);
  // Whether a sweep that is not cancelled shares `job`.
  bool InLiveSweep(const v1::JobRecord& job) const AUGSWEEP_REQUIRES(mu_);
  // Records for `key`'s dependents after it succeeded or failed.
  void UpdateDependents(const std::string& key, v1::JobState outcome,
                        std::vector<v1::JobRecord>& out) const AUGSWEEP_REQUIRES(mu_);
  // A failed attempt: back to READY, or FAILED with dependents BLOCKED.
  void RecordFailure(v1::JobRecord& job, const std::string& error, bool retryable,
                     std::vector<v1::JobRecord>& changed) const AUGSWEEP_REQUIRES(mu_);
  // The job `attempt` names, if that attempt still holds its lease; nullptr otherwise.
  const v1::JobRecord* CurrentLease(const AttemptRef& attempt) const AUGSWEEP_REQUIRES(mu_);
  // Gives back the oldest live leases of `worker_id` until it holds fewer than `slots`, making
  // room for the one it asks for.
  // The ticket of the release, 0 when there was none.
  uint64_t ReleaseLeasesBeyondSlots(const std::string& worker_id, int32_t slots)
      AUGSWEEP_REQUIRES(mu_);
  // The ticket of the expiries, 0 when none expired.
  uint64_t ExpireLeasesLocked() AUGSWEEP_REQUIRES(mu_);
  SweepProgress ProgressLocked(const v1::SweepRecord& sweep) const AUGSWEEP_REQUIRES(mu_);
  // The accepted result of `job_key` (from unwritten_results_ until it is on disk), nullopt
  // when there is none.
  StatusOr<std::optional<std::string>> ResultLocked(const std::string& job_key)
      AUGSWEEP_REQUIRES(mu_);
  // What the job of a cell has produced, its per-theme AUCs in the order of `themes`.
  StatusOr<CellResult> CellResultLocked(const std::string& job_key,
                                        const std::vector<std::string>& themes)
      AUGSWEEP_REQUIRES(mu_);

  Store* const store_;
  const SchedulerOptions options_;
  GroupCommit commits_;     // its own lock; queued to under mu_, waited on without it
  WorkerRegistry workers_;  // its own lock; never taken while it waits for mu_

  mutable Mutex mu_;
  CondVar job_ready_;  // signalled when a job may have become READY, and at shutdown
  bool shutdown_ AUGSWEEP_GUARDED_BY(mu_) = false;
  std::map<std::string, v1::SweepRecord> sweeps_ AUGSWEEP_GUARDED_BY(mu_);
  std::map<std::string, v1::JobRecord> jobs_ AUGSWEEP_GUARDED_BY(mu_);
  std::vector<std::string> job_order_ AUGSWEEP_GUARDED_BY(mu_);  // submission order: lease order
  // Indexes over jobs_, kept by SetJobLocked, so that a lease and an expiry check cost the jobs
  // they concern rather than a scan of every job (bench/load_bench): each job's place in
  // job_order_, the places of the READY ones, and the LEASED ones by when their lease expires.
  std::unordered_map<std::string, size_t> order_of_ AUGSWEEP_GUARDED_BY(mu_);
  std::set<size_t> ready_ AUGSWEEP_GUARDED_BY(mu_);
  std::set<std::pair<int64_t, std::string>> lease_expiry_ AUGSWEEP_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> dependents_ AUGSWEEP_GUARDED_BY(mu_);
  // Parsed train results by job key (a result never changes once stored).
  std::map<std::string, CellResult> cell_result_cache_ AUGSWEEP_GUARDED_BY(mu_);
  // Results of accepted completions that may not be on disk yet (their job is SUCCEEDED in
  // memory already), by job key; read in place of the store's until their write is done.
  // Each with the ticket of its write.
  std::map<std::string, std::pair<uint64_t, std::string>> unwritten_results_
      AUGSWEEP_GUARDED_BY(mu_);
  // What the executors of leased jobs last reported (0..1), for the ETA; in memory only.
  std::map<std::string, float> progress_ AUGSWEEP_GUARDED_BY(mu_);
  StageDurations durations_ AUGSWEEP_GUARDED_BY(mu_);
  // For Stats(): job durations per stage since the scheduler started.
  std::map<JobStage, Histogram> job_seconds_ AUGSWEEP_GUARDED_BY(mu_);
  uint64_t sweep_counter_ AUGSWEEP_GUARDED_BY(mu_) = 0;
};

}  // namespace augsweep
