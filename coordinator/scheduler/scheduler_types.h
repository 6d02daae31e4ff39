// The scheduler's own vocabulary: what goes into its transitions and what comes out of its
// views. No wire message crosses the scheduler's interface; the gRPC service layer
// (coordinator/service/scheduler_protos.h) converts these to and from augsweep.v1 messages.
// The one opaque payload is a job's spec: the planner's augsweep.v1.JobSpec, serialized, which
// the scheduler stores and hands to the worker that leases the job without reading it again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/metrics/histogram.h"

namespace augsweep {

// The kinds of job of the DAG (augsweep.v1.JobKind), in DAG order.
enum class JobStage { kGenerate, kFilter, kTrainEval };
inline constexpr JobStage kJobStages[] = {JobStage::kGenerate, JobStage::kFilter,
                                          JobStage::kTrainEval};

// "generate", "filter", "train_eval": the stage's name in status views and metrics.
inline const char* StageName(JobStage stage) {
  switch (stage) {
    case JobStage::kGenerate:
      return "generate";
    case JobStage::kFilter:
      return "filter";
    case JobStage::kTrainEval:
      return "train_eval";
  }
  return "";
}

// What a worker can run; it says so when it registers and with every lease request.
struct WorkerCapabilities {
  std::set<JobStage> stages;
  std::set<std::string> executor_kinds;  // "eda", "llama", "tfidf-logreg", ...
  std::string device;                    // "cpu" or "cuda"
  int64_t free_memory_mb = 0;            // of the device the jobs run on
  int32_t slots = 1;                     // jobs it runs at once: its most live leases
};

struct WorkerRegistration {
  std::string hostname;
  std::string slurm_job_id;  // empty outside Slurm
  WorkerCapabilities capabilities;
};

struct LeaseRequest {
  std::string worker_id;
  WorkerCapabilities capabilities;
  int64_t wait_ms = 0;  // how long to wait for a job; clamped by the scheduler
};

// A job handed to one worker for one attempt, until expires_unix_ms unless heartbeats renew it.
struct JobLease {
  std::string job_key;
  JobStage stage = JobStage::kGenerate;
  int32_t attempt = 0;
  int64_t expires_unix_ms = 0;
  std::string job_spec;  // the serialized augsweep.v1.JobSpec
};

// Names one attempt of one job, as the worker holding its lease reports on it.
struct AttemptRef {
  std::string worker_id;
  std::string job_key;
  int32_t attempt = 0;
};

struct HeartbeatReport {
  AttemptRef attempt;
  float progress = 0;  // 0..1, the executor's own estimate; feeds the ETA
};

struct HeartbeatAnswer {
  bool cancelled = false;  // stop: the lease is lost, the sweep cancelled or the time limit passed
  int64_t expires_unix_ms = 0;
};

struct Completion {
  AttemptRef attempt;  // any attempt that was handed out counts; only the first result is kept
  std::optional<JobStage> result_stage;  // the outcome the result carries; nullopt: none
  std::string result;                    // the serialized augsweep.v1.JobResult, stored as is
};

struct Failure {
  AttemptRef attempt;
  std::string error;
  bool retryable = true;  // false: another attempt cannot change the outcome
};

struct SubmitOutcome {
  std::string sweep_id;
  int32_t unique_jobs = 0;
  int32_t jobs_already_done = 0;
};

// The status view of one sweep.
enum class SweepState { kPending, kRunning, kSucceeded, kFailed, kCancelled };

struct StageCounts {
  JobStage stage = JobStage::kGenerate;
  int32_t waiting = 0, ready = 0, leased = 0, succeeded = 0, failed = 0, blocked = 0, cancelled = 0;
};

struct SweepProgress {
  std::string sweep_id;
  std::string name;
  SweepState state = SweepState::kPending;
  // generate, filter (only when the sweep has filter jobs), train_eval
  std::vector<StageCounts> stages;
  int64_t submitted_unix_ms = 0;
  std::vector<std::string> recent_errors;  // of FAILED jobs, a few
  int32_t active_workers = 0;
  int64_t eta_seconds = -1;  // -1: unknown yet; 0 when nothing is left
};

struct WorkerEntry {
  std::string worker_id;
  std::string hostname;
  std::string device;
  int64_t last_seen_unix_ms = 0;
  std::string current_job;  // empty when idle
};

// The results view: every cell of a sweep's grid with what its job has produced so far.
struct CellResult {
  bool has_result = false;  // the job succeeded and its result is stored
  bool failed = false;      // the job FAILED, is BLOCKED or CANCELLED: no result without a retry
  // The train job had fewer than its n synthetic texts of some theme (a generator's shortfall or
  // a filter's drops).
  bool short_of_texts = false;
  std::optional<double> macro_auc;  // nullopt when the macro AUC is undefined on that fold
  // Per theme of SweepCells::themes; nullopt where the test fold lacks a positive or a negative.
  std::vector<std::optional<double>> theme_aucs;
};

struct CellOutcome {
  std::string classifier;
  std::string generator;  // empty for the baseline
  double temperature = 0;
  int32_t augment_count = 0;
  std::string filter;  // empty for the baseline and in sweeps without filters
  int32_t repeat = 0;
  int32_t fold = 0;
  std::string job_key;
  CellResult result;
};

struct SweepCells {
  std::string sweep_id;
  std::vector<std::string> classifiers;  // in the spec's order: the result table's order
  std::vector<std::string> themes;       // the sweep's themes, in its jobs' order
  std::vector<CellOutcome> cells;        // in the plan's order
};

// The texts view: one generate or filter job of a sweep and the set it has produced.
struct SetJobOutcome {
  std::string job_key;
  std::string job_spec;  // the serialized augsweep.v1.JobSpec
  bool failed = false;   // FAILED, BLOCKED or CANCELLED
  std::string result;    // the serialized augsweep.v1.JobResult; empty until it succeeded
};

// What the coordinator's metrics endpoint exposes of the scheduler.
struct SchedulerStats {
  struct JobCount {
    JobStage stage = JobStage::kGenerate;
    std::string state;  // "waiting", "ready", "leased", "succeeded", "failed", "blocked", ...
    int32_t count = 0;
  };
  std::vector<JobCount> jobs;  // every (stage, state), zeros included, over every sweep
  int32_t sweeps = 0;
  int32_t active_workers = 0;  // heard from within the active window
  int32_t known_workers = 0;
  // Lease to accepted completion, per stage, since the coordinator started.
  std::map<JobStage, Histogram> job_seconds;
  // Each synced store commit of job transitions since it started (one batch carries every
  // transition queued while the previous one was written: GroupCommit), and how many
  // transitions (WriteSets) they carried in all.
  Histogram store_write_seconds{LatencyBucketsSeconds()};
  uint64_t store_sets_written = 0;
};

}  // namespace augsweep
