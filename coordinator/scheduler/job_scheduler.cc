#include "coordinator/scheduler/job_scheduler.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/dataset/data_codec.h"
#include "common/sha256.h"
#include "coordinator/scheduler/result_aggregation.h"

namespace augsweep {
namespace {

constexpr int kMaxRecentErrors = 5;

bool IsTerminal(v1::JobState s) {
  return s == v1::SUCCEEDED || s == v1::FAILED || s == v1::BLOCKED || s == v1::CANCELLED;
}

// The executor kind a job needs: its generator's or its classifier's.
const std::string& ExecutorKindOf(const v1::JobSpec& job) {
  return job.kind() == v1::GENERATE ? job.generate().generator().kind()
                                    : job.train_eval().classifier().kind();
}

std::string ShortKey(const std::string& key) { return key.substr(0, std::min<size_t>(key.size(), 18)); }

}  // namespace

JobScheduler::JobScheduler(Store* store, SchedulerOptions options)
    : store_(store), options_(std::move(options)) {}

StatusOr<std::unique_ptr<JobScheduler>> JobScheduler::Load(Store* store, SchedulerOptions options) {
  std::unique_ptr<JobScheduler> s(new JobScheduler(store, std::move(options)));
  AUGSWEEP_RETURN_IF_ERROR(s->LoadState());
  return s;
}

int64_t JobScheduler::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status JobScheduler::LoadState() {
  std::lock_guard<std::mutex> lock(mu_);
  Status parse_error;
  AUGSWEEP_RETURN_IF_ERROR(store_->Scan(Family::kSweeps, "", [&](std::string_view key, std::string_view value) {
    v1::SweepRecord sweep;
    if (!sweep.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parse_error = DataLossError("store: sweep record " + std::string(key) + " is corrupt");
      return false;
    }
    sweeps_[sweep.sweep_id()] = std::move(sweep);
    return true;
  }));
  AUGSWEEP_RETURN_IF_ERROR(parse_error);
  const int64_t grace = Now() + options_.lease_ms;
  std::map<int64_t, std::vector<std::string>> by_time;  // keep the lease order across restarts
  AUGSWEEP_RETURN_IF_ERROR(store_->Scan(Family::kJobs, "", [&](std::string_view key, std::string_view value) {
    v1::JobRecord job;
    if (!job.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parse_error = DataLossError("store: job record " + std::string(key) + " is corrupt");
      return false;
    }
    if (job.state() == v1::LEASED) job.set_lease_expires_unix_ms(std::max(job.lease_expires_unix_ms(), grace));
    for (const auto& dep : job.spec().depends_on()) dependents_[dep].push_back(job.spec().key());
    jobs_[job.spec().key()] = std::move(job);
    return true;
  }));
  AUGSWEEP_RETURN_IF_ERROR(parse_error);
  // Lease order: sweeps in submission order, each sweep's jobs in plan order.
  std::vector<const v1::SweepRecord*> sweeps;
  for (const auto& [id, sweep] : sweeps_) sweeps.push_back(&sweep);
  std::sort(sweeps.begin(), sweeps.end(), [](const auto* a, const auto* b) {
    return a->submitted_unix_ms() < b->submitted_unix_ms();
  });
  std::set<std::string> seen;
  for (const auto* sweep : sweeps) {
    for (const auto& key : sweep->job_keys()) {
      if (jobs_.count(key) && seen.insert(key).second) job_order_.push_back(key);
    }
  }
  return OkStatus();
}

void JobScheduler::AddEvent(WriteSet& writes, const std::string& text) const {
  writes.AppendEvent(std::to_string(Now()) + " " + text);
}

Status JobScheduler::CommitJobs(WriteSet& writes, std::vector<v1::JobRecord>& jobs) {
  const int64_t now = Now();
  for (v1::JobRecord& job : jobs) {
    job.set_updated_unix_ms(now);
    writes.Put(Family::kJobs, job.spec().key(), job.SerializeAsString());
  }
  AUGSWEEP_RETURN_IF_ERROR(store_->Commit(writes));
  for (v1::JobRecord& job : jobs) jobs_[job.spec().key()] = std::move(job);
  return OkStatus();
}

bool JobScheduler::DependenciesSucceeded(const v1::JobSpec& spec,
                                         const std::map<std::string, v1::JobRecord>& pending) const {
  for (const auto& dep : spec.depends_on()) {
    auto p = pending.find(dep);
    const v1::JobRecord* record = p != pending.end() ? &p->second : nullptr;
    if (record == nullptr) {
      auto it = jobs_.find(dep);
      if (it == jobs_.end()) return false;
      record = &it->second;
    }
    if (record->state() != v1::SUCCEEDED) return false;
  }
  return true;
}

StatusOr<SubmitOutcome> JobScheduler::Submit(const PreparedSweep& prepared, const std::string& spec_yaml) {
  const Plan& plan = prepared.plan;
  if (plan.jobs.empty()) return InvalidArgumentError("the sweep has no jobs");
  // Artifacts first: content-addressed and idempotent, so a crash here leaves nothing visible.
  const v1::JobSpec& any_job = plan.jobs.front();
  AUGSWEEP_RETURN_IF_ERROR(store_->PutArtifact(
      any_job.dataset_artifact(),
      DatasetToProto(prepared.dataset, prepared.dataset_fingerprint).SerializeAsString()));
  AUGSWEEP_RETURN_IF_ERROR(
      store_->PutArtifact(any_job.folds_artifact(), SplitsToProto(prepared.splits).SerializeAsString()));

  std::unique_lock<std::mutex> lock(mu_);
  const int64_t now = Now();
  v1::SweepRecord sweep;
  // The counter restarts at 0 with the process, so the same spec submitted in the same
  // millisecond after a restart would hash to a stored sweep's id and replace its record: draw
  // again until the id is new.
  do {
    sweep.set_sweep_id("sw-" + ContentHasher()
                                   .Add("spec", spec_yaml)
                                   .Add("dataset", prepared.dataset_fingerprint)
                                   .AddInt("time", now)
                                   .AddInt("counter", static_cast<int64_t>(++sweep_counter_))
                                   .HexDigest()
                                   .substr(0, 12));
  } while (sweeps_.count(sweep.sweep_id()));
  sweep.set_name(prepared.parsed.spec.name());
  *sweep.mutable_spec() = prepared.parsed.spec;
  sweep.set_spec_yaml(spec_yaml);
  sweep.set_submitted_unix_ms(now);
  for (const auto& cell : plan.cells) *sweep.add_cells() = cell;
  for (const auto& job : plan.jobs) sweep.add_job_keys(job.key());
  for (const auto& w : prepared.parsed.warnings) sweep.add_warnings(w);
  sweep.set_dataset_artifact(any_job.dataset_artifact());
  sweep.set_folds_artifact(any_job.folds_artifact());
  sweep.set_naive_cells(static_cast<int32_t>(plan.naive_cells));
  sweep.set_naive_jobs(static_cast<int32_t>(plan.naive_jobs));

  SubmitOutcome outcome;
  outcome.sweep_id = sweep.sweep_id();
  outcome.unique_jobs = static_cast<int32_t>(plan.jobs.size());
  std::map<std::string, v1::JobRecord> pending;  // generate jobs come first: deps resolve in order
  std::vector<std::string> new_keys;
  for (const v1::JobSpec& spec : plan.jobs) {
    auto existing = jobs_.find(spec.key());
    v1::JobRecord record;
    if (existing != jobs_.end()) {
      record = existing->second;
      if (record.state() == v1::SUCCEEDED) ++outcome.jobs_already_done;
      if (record.state() == v1::FAILED || record.state() == v1::BLOCKED || record.state() == v1::CANCELLED) {
        record.set_failures(0);
        record.set_last_error("");
        record.set_state(v1::WAITING);
      }
    } else {
      *record.mutable_spec() = spec;
      record.set_state(v1::WAITING);
      new_keys.push_back(spec.key());
    }
    if (record.state() == v1::WAITING && DependenciesSucceeded(spec, pending)) record.set_state(v1::READY);
    record.add_sweep_ids(sweep.sweep_id());
    pending[spec.key()] = std::move(record);
  }
  WriteSet writes;
  writes.Put(Family::kSweeps, sweep.sweep_id(), sweep.SerializeAsString());
  AddEvent(writes, "sweep " + sweep.sweep_id() + " submitted: " + std::to_string(plan.jobs.size()) +
                       " jobs, " + std::to_string(outcome.jobs_already_done) + " already done");
  std::vector<v1::JobRecord> changed;
  for (auto& [key, record] : pending) changed.push_back(std::move(record));
  AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
  sweeps_[sweep.sweep_id()] = std::move(sweep);
  for (const auto& key : new_keys) {
    job_order_.push_back(key);
    for (const auto& dep : jobs_[key].spec().depends_on()) dependents_[dep].push_back(key);
  }
  job_ready_.notify_all();
  return outcome;
}

void JobScheduler::TouchWorker(const std::string& worker_id, const std::string& current_job) {
  v1::WorkerInfo& w = workers_[worker_id];
  w.set_worker_id(worker_id);
  w.set_last_seen_unix_ms(Now());
  w.set_current_job(current_job);
}

v1::RegisterWorkerResponse JobScheduler::RegisterWorker(const v1::RegisterWorkerRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = request.hostname().empty() ? "worker" : request.hostname();
  id += "-" + ContentHasher().Add("host", request.hostname()).AddInt("time", Now())
                  .AddInt("n", static_cast<int64_t>(workers_.size())).HexDigest().substr(0, 6);
  if (!request.slurm_job_id().empty()) id += "-slurm" + request.slurm_job_id();
  TouchWorker(id, "");
  workers_[id].set_hostname(request.hostname());
  workers_[id].set_device(request.capabilities().device());
  v1::RegisterWorkerResponse response;
  response.set_worker_id(id);
  response.set_heartbeat_interval_ms(options_.heartbeat_interval_ms);
  return response;
}

bool JobScheduler::WorkerCanRun(const v1::WorkerCapabilities& caps, const v1::JobSpec& job) const {
  const auto& kinds = caps.job_kinds();
  if (std::find(kinds.begin(), kinds.end(), job.kind()) == kinds.end()) return false;
  const auto& executors = caps.executor_kinds();
  if (std::find(executors.begin(), executors.end(), ExecutorKindOf(job)) == executors.end()) return false;
  const v1::ResourceSpec& r = job.resources();
  if (r.device() != "any" && !r.device().empty() && r.device() != caps.device()) return false;
  return r.min_memory_mb() <= 0 || caps.free_memory_mb() >= r.min_memory_mb();
}

StatusOr<v1::LeaseJobResponse> JobScheduler::LeaseJob(const v1::LeaseJobRequest& request) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(std::clamp(request.wait_ms(), 0, 60'000));
  std::unique_lock<std::mutex> lock(mu_);
  TouchWorker(request.worker_id(), "");
  while (true) {
    ExpireLeasesLocked();
    for (const std::string& key : job_order_) {
      const v1::JobRecord& current = jobs_[key];
      if (current.state() != v1::READY || !WorkerCanRun(request.capabilities(), current.spec())) continue;
      v1::JobRecord job = current;
      const int64_t now = Now();
      job.set_state(v1::LEASED);
      job.set_attempts(job.attempts() + 1);
      job.set_worker_id(request.worker_id());
      job.set_leased_unix_ms(now);
      job.set_lease_expires_unix_ms(now + options_.lease_ms);
      WriteSet writes;
      AddEvent(writes, "job " + ShortKey(key) + " leased to " + request.worker_id() + ", attempt " +
                           std::to_string(job.attempts()));
      v1::LeaseJobResponse response;
      v1::Lease* lease = response.mutable_lease();
      *lease->mutable_job() = job.spec();
      lease->set_attempt(job.attempts());
      lease->set_expires_unix_ms(job.lease_expires_unix_ms());
      std::vector<v1::JobRecord> changed{std::move(job)};
      AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
      TouchWorker(request.worker_id(), key);
      return response;
    }
    if (shutdown_ || job_ready_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return v1::LeaseJobResponse();
    }
  }
}

v1::HeartbeatResponse JobScheduler::Heartbeat(const v1::HeartbeatRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::HeartbeatResponse response;
  auto it = jobs_.find(request.job_key());
  // Lost the lease (expired and re-leased, completed by an earlier attempt, cancelled): stop.
  if (it == jobs_.end() || it->second.state() != v1::LEASED || it->second.attempts() != request.attempt() ||
      it->second.worker_id() != request.worker_id()) {
    response.set_cancelled(true);
    TouchWorker(request.worker_id(), "");
    return response;
  }
  // A job may not hold a lease past its time limit, even while it heartbeats (a hung step).
  const int64_t now = Now();
  const int64_t limit_ms = int64_t{it->second.spec().resources().time_limit_s()} * 1000;
  if (limit_ms > 0 && it->second.leased_unix_ms() > 0 && now - it->second.leased_unix_ms() > limit_ms) {
    v1::JobRecord job = it->second;
    WriteSet writes;
    std::vector<v1::JobRecord> changed;
    const std::string error = "exceeded its time limit of " +
                              std::to_string(job.spec().resources().time_limit_s()) + " s";
    RecordFailure(job, error, true, changed);
    AddEvent(writes, "job " + ShortKey(job.spec().key()) + " attempt " + std::to_string(job.attempts()) + " " + error);
    changed.push_back(std::move(job));
    // If the store cannot write, the lease stays and the next heartbeat tries again.
    if (CommitJobs(writes, changed).ok()) {
      job_ready_.notify_all();
      response.set_cancelled(true);
      return response;
    }
  }
  // Extensions live in memory only: after a restart, Load() grants every lease a fresh length.
  it->second.set_lease_expires_unix_ms(now + options_.lease_ms);
  response.set_expires_unix_ms(it->second.lease_expires_unix_ms());
  TouchWorker(request.worker_id(), request.job_key());
  return response;
}

bool JobScheduler::InLiveSweep(const v1::JobRecord& job) const {
  for (const auto& id : job.sweep_ids()) {
    auto it = sweeps_.find(id);
    if (it != sweeps_.end() && !it->second.cancelled()) return true;
  }
  return false;
}

void JobScheduler::UpdateDependents(const std::string& key, v1::JobState outcome,
                                    std::vector<v1::JobRecord>& out) const {
  auto it = dependents_.find(key);
  if (it == dependents_.end()) return;
  std::map<std::string, v1::JobRecord> none;
  for (const std::string& dep_key : it->second) {
    v1::JobRecord dep = jobs_.at(dep_key);
    if (outcome == v1::FAILED && (dep.state() == v1::WAITING || dep.state() == v1::READY)) {
      dep.set_state(v1::BLOCKED);
      dep.set_last_error("blocked: the job it depends on (" + ShortKey(key) + ") failed");
      out.push_back(std::move(dep));
    } else if (outcome == v1::SUCCEEDED &&
               (dep.state() == v1::WAITING || (dep.state() == v1::BLOCKED && InLiveSweep(dep)))) {
      // BLOCKED too: a job FAILED after its retries can still succeed when a late result of an
      // issued attempt arrives (CompleteJob accepts it), and what it blocked can run after all,
      // unless no live sweep wants it any more.
      std::map<std::string, v1::JobRecord> just_succeeded;
      just_succeeded[key] = jobs_.at(key);
      just_succeeded[key].set_state(v1::SUCCEEDED);
      if (DependenciesSucceeded(dep.spec(), just_succeeded)) {
        if (dep.state() == v1::BLOCKED) dep.set_last_error("");
        dep.set_state(v1::READY);
        out.push_back(std::move(dep));
      }
    }
  }
}

StatusOr<v1::CompleteJobResponse> JobScheduler::CompleteJob(const v1::CompleteJobRequest& request) {
  const v1::JobResult& result = request.result();
  std::lock_guard<std::mutex> lock(mu_);
  TouchWorker(request.worker_id(), "");
  auto it = jobs_.find(result.job_key());
  if (it == jobs_.end()) return NotFoundError("CompleteJob: unknown job " + result.job_key());
  v1::CompleteJobResponse response;
  const v1::JobRecord& current = it->second;
  WriteSet writes;
  // A result from any attempt that was handed out is as good as another (jobs are
  // deterministic), but only the first one counts.
  if (current.state() == v1::SUCCEEDED || current.state() == v1::CANCELLED ||
      result.attempt() < 1 || result.attempt() > current.attempts()) {
    AddEvent(writes, "job " + ShortKey(result.job_key()) + ": ignored completion of attempt " +
                         std::to_string(result.attempt()) + " from " + request.worker_id() + " (job is " +
                         v1::JobState_Name(current.state()) + ")");
    AUGSWEEP_RETURN_IF_ERROR(store_->Commit(writes));
    response.set_accepted(false);
    return response;
  }
  const bool kind_matches = current.spec().kind() == v1::GENERATE ? result.has_generate() : result.has_train_eval();
  if (!kind_matches) {
    return InvalidArgumentError("CompleteJob: the result of " + result.job_key() + " is not a " +
                                v1::JobKind_Name(current.spec().kind()) + " result");
  }
  v1::JobRecord job = current;
  const int64_t now = Now();
  if (job.state() == v1::LEASED && job.leased_unix_ms() > 0) {
    auto& [sum, count] = durations_[job.spec().kind()];
    sum += (now - job.leased_unix_ms()) / 1000.0;
    ++count;
  }
  job.set_state(v1::SUCCEEDED);
  job.set_completed_attempt(result.attempt());
  job.set_last_error("");
  writes.Put(Family::kResults, result.job_key(), result.SerializeAsString());
  AddEvent(writes, "job " + ShortKey(result.job_key()) + " succeeded, attempt " +
                       std::to_string(result.attempt()) + " on " + request.worker_id());
  std::vector<v1::JobRecord> changed;
  UpdateDependents(result.job_key(), v1::SUCCEEDED, changed);
  changed.push_back(std::move(job));
  AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
  job_ready_.notify_all();
  response.set_accepted(true);
  return response;
}

void JobScheduler::RecordFailure(v1::JobRecord& job, const std::string& error, bool retryable,
                                 std::vector<v1::JobRecord>& changed) const {
  job.set_failures(job.failures() + 1);
  job.set_last_error(error);
  job.set_worker_id("");
  if (retryable && job.failures() < options_.max_attempts) {
    job.set_state(v1::READY);
    return;
  }
  job.set_state(v1::FAILED);
  UpdateDependents(job.spec().key(), v1::FAILED, changed);
}

StatusOr<v1::FailJobResponse> JobScheduler::FailJob(const v1::FailJobRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  TouchWorker(request.worker_id(), "");
  v1::FailJobResponse response;
  auto it = jobs_.find(request.job_key());
  if (it == jobs_.end()) return NotFoundError("FailJob: unknown job " + request.job_key());
  const v1::JobRecord& current = it->second;
  if (current.state() != v1::LEASED || current.attempts() != request.attempt() ||
      current.worker_id() != request.worker_id()) {
    return response;  // a stale report: that lease is gone already
  }
  v1::JobRecord job = current;
  WriteSet writes;
  std::vector<v1::JobRecord> changed;
  if (request.released()) {
    job.set_state(v1::READY);
    job.set_worker_id("");
    AddEvent(writes, "job " + ShortKey(job.spec().key()) + " given back by " + request.worker_id() +
                         ": " + request.error());
  } else {
    RecordFailure(job, request.error(), request.retryable(), changed);
    AddEvent(writes, "job " + ShortKey(job.spec().key()) + " attempt " + std::to_string(request.attempt()) +
                         " failed on " + request.worker_id() + ": " + request.error());
  }
  response.set_will_retry(job.state() == v1::READY);
  changed.push_back(std::move(job));
  AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
  job_ready_.notify_all();
  return response;
}

void JobScheduler::ExpireLeases() {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLeasesLocked();
}

void JobScheduler::ExpireLeasesLocked() {
  const int64_t now = Now();
  WriteSet writes;
  std::vector<v1::JobRecord> changed;
  for (const std::string& key : job_order_) {
    const v1::JobRecord& current = jobs_[key];
    if (current.state() != v1::LEASED || current.lease_expires_unix_ms() > now) continue;
    v1::JobRecord job = current;
    const std::string worker = job.worker_id();
    RecordFailure(job, "lease expired: worker " + worker + " stopped heartbeating", true, changed);
    AddEvent(writes, "job " + ShortKey(key) + " lease of " + worker + " expired, attempt " +
                         std::to_string(job.attempts()));
    changed.push_back(std::move(job));
  }
  if (changed.empty()) return;
  // If the store cannot write, the leases stay as they are and expire on the next call.
  if (CommitJobs(writes, changed).ok()) job_ready_.notify_all();
}

v1::SweepStatus JobScheduler::StatusLocked(const v1::SweepRecord& sweep) const {
  v1::SweepStatus status;
  status.set_sweep_id(sweep.sweep_id());
  status.set_name(sweep.name());
  status.set_submitted_unix_ms(sweep.submitted_unix_ms());
  std::map<v1::JobKind, v1::StageCounts> stages;
  stages[v1::GENERATE].set_stage("generate");
  stages[v1::TRAIN_EVAL].set_stage("train_eval");
  int open = 0, succeeded = 0, failed = 0, leased_or_done = 0;
  std::map<v1::JobKind, int> remaining;
  for (const std::string& key : sweep.job_keys()) {
    auto it = jobs_.find(key);
    if (it == jobs_.end()) continue;
    const v1::JobRecord& job = it->second;
    v1::StageCounts& c = stages[job.spec().kind()];
    switch (job.state()) {
      case v1::WAITING: c.set_waiting(c.waiting() + 1); break;
      case v1::READY: c.set_ready(c.ready() + 1); break;
      case v1::LEASED: c.set_leased(c.leased() + 1); break;
      case v1::SUCCEEDED: c.set_succeeded(c.succeeded() + 1); break;
      case v1::FAILED: c.set_failed(c.failed() + 1); break;
      case v1::BLOCKED: c.set_blocked(c.blocked() + 1); break;
      case v1::CANCELLED: c.set_cancelled(c.cancelled() + 1); break;
      default: break;
    }
    if (!IsTerminal(job.state())) {
      ++open;
      ++remaining[job.spec().kind()];
    }
    succeeded += job.state() == v1::SUCCEEDED;
    failed += job.state() == v1::FAILED || job.state() == v1::BLOCKED;
    leased_or_done += job.state() == v1::LEASED || job.state() == v1::SUCCEEDED || job.attempts() > 0;
    if (job.state() == v1::FAILED && status.recent_errors_size() < kMaxRecentErrors) {
      status.add_recent_errors("job " + ShortKey(key) + ": " + job.last_error());
    }
  }
  for (auto& [kind, counts] : stages) *status.add_stages() = counts;
  if (sweep.cancelled()) {
    status.set_state(v1::SWEEP_STATE_CANCELLED);
  } else if (open == 0 && failed == 0) {
    status.set_state(v1::SWEEP_STATE_SUCCEEDED);
  } else if (open == 0) {
    status.set_state(v1::SWEEP_STATE_FAILED);
  } else {
    status.set_state(leased_or_done > 0 ? v1::SWEEP_STATE_RUNNING : v1::SWEEP_STATE_PENDING);
  }
  const int64_t now = Now();
  int active = 0;
  for (const auto& [id, w] : workers_) {
    active += now - w.last_seen_unix_ms() < 3 * int64_t{options_.heartbeat_interval_ms} + 60'000;
  }
  status.set_active_workers(active);
  // ETA: remaining jobs × their mean duration so far, spread over the active workers.
  double seconds = 0;
  bool known = open > 0 && active > 0;
  for (const auto& [kind, n] : remaining) {
    auto d = durations_.find(kind);
    if (d == durations_.end() || d->second.second == 0) {
      known = false;
      break;
    }
    seconds += n * d->second.first / d->second.second;
  }
  status.set_eta_seconds(open == 0 ? 0 : known ? static_cast<int64_t>(seconds / active + 0.5) : -1);
  return status;
}

StatusOr<v1::SweepStatus> JobScheduler::GetStatus(const std::string& sweep_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  return StatusLocked(it->second);
}

std::vector<v1::SweepStatus> JobScheduler::ListSweeps() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::SweepStatus> out;
  for (const auto& [id, sweep] : sweeps_) out.push_back(StatusLocked(sweep));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.submitted_unix_ms() < b.submitted_unix_ms();
  });
  return out;
}

StatusOr<CellResult> JobScheduler::MacroAucLocked(const std::string& job_key) {
  auto cached = macro_auc_cache_.find(job_key);
  if (cached != macro_auc_cache_.end()) return CellResult{true, cached->second};
  auto job = jobs_.find(job_key);
  if (job == jobs_.end() || job->second.state() != v1::SUCCEEDED) return CellResult{};
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_->Get(Family::kResults, job_key));
  v1::JobResult result;
  if (!bytes || !result.ParseFromString(*bytes)) {
    return DataLossError("store: result of " + job_key + " is missing or corrupt");
  }
  std::optional<double> auc;
  if (result.train_eval().macro_defined()) auc = result.train_eval().macro_auc();
  macro_auc_cache_[job_key] = auc;
  return CellResult{true, auc};
}

StatusOr<v1::GetResultsResponse> JobScheduler::GetResults(const std::string& sweep_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  Status error;
  v1::GetResultsResponse response = AggregateResults(it->second, [&](const std::string& key) {
    StatusOr<CellResult> cell = MacroAucLocked(key);
    if (!cell.ok()) {
      error = cell.status();
      return CellResult{};
    }
    return *cell;
  });
  AUGSWEEP_RETURN_IF_ERROR(error);
  return response;
}

StatusOr<int32_t> JobScheduler::CancelSweep(const std::string& sweep_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  v1::SweepRecord sweep = it->second;
  sweep.set_cancelled(true);
  std::vector<v1::JobRecord> changed;
  for (const std::string& key : sweep.job_keys()) {
    const v1::JobRecord& job = jobs_[key];
    if (IsTerminal(job.state())) continue;
    // A job another live sweep still needs keeps running.
    bool shared = false;
    for (const auto& other : job.sweep_ids()) {
      if (other != sweep_id && sweeps_.count(other) && !sweeps_[other].cancelled()) shared = true;
    }
    if (shared) continue;
    v1::JobRecord copy = job;
    copy.set_state(v1::CANCELLED);
    changed.push_back(std::move(copy));
  }
  WriteSet writes;
  writes.Put(Family::kSweeps, sweep_id, sweep.SerializeAsString());
  AddEvent(writes, "sweep " + sweep_id + " cancelled, " + std::to_string(changed.size()) + " jobs");
  const int32_t count = static_cast<int32_t>(changed.size());
  AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
  it->second = std::move(sweep);
  return count;
}

StatusOr<int32_t> JobScheduler::RetryFailed(const std::string& sweep_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  if (it->second.cancelled()) return FailedPreconditionError("sweep " + sweep_id + " was cancelled");
  std::map<std::string, v1::JobRecord> pending;  // job_keys lists generate jobs first
  for (const std::string& key : it->second.job_keys()) {
    const v1::JobRecord& job = jobs_[key];
    if (job.state() != v1::FAILED && job.state() != v1::BLOCKED) continue;
    v1::JobRecord copy = job;
    copy.set_failures(0);
    copy.set_last_error("");
    copy.set_state(DependenciesSucceeded(copy.spec(), pending) ? v1::READY : v1::WAITING);
    pending[key] = std::move(copy);
  }
  WriteSet writes;
  AddEvent(writes, "sweep " + sweep_id + ": " + std::to_string(pending.size()) + " jobs retried");
  std::vector<v1::JobRecord> changed;
  for (auto& [key, record] : pending) changed.push_back(std::move(record));
  const int32_t count = static_cast<int32_t>(changed.size());
  AUGSWEEP_RETURN_IF_ERROR(CommitJobs(writes, changed));
  job_ready_.notify_all();
  return count;
}

std::vector<v1::WorkerInfo> JobScheduler::ListWorkers() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::WorkerInfo> out;
  for (const auto& [id, w] : workers_) out.push_back(w);
  return out;
}

void JobScheduler::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  job_ready_.notify_all();
}

}  // namespace augsweep
