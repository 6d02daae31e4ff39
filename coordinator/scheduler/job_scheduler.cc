#include "coordinator/scheduler/job_scheduler.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "augsweep/v1/job.pb.h"
#include "common/dataset/data_codec.h"
#include "common/sha256.h"
#include "coordinator/scheduler/job_records.h"

namespace augsweep {
namespace {

// A worker counts as active while heard from within three heartbeats and a margin.
int64_t ActiveWindowMs(int32_t heartbeat_interval_ms) {
  return 3 * int64_t{heartbeat_interval_ms} + GetTunables().active_worker_window_ms;
}

// The executor kind a job needs: its generator's or its classifier's; a filter job's label check
// classifier's, or none.
const std::string& ExecutorKindOf(const v1::JobSpec& job) {
  switch (job.kind()) {
    case v1::GENERATE:
      return job.generate().generator().kind();
    case v1::FILTER:
      return job.filter().filter().label_consistency().classifier().kind();
    default:
      return job.train_eval().classifier().kind();
  }
}

bool WorkerCanRun(const WorkerCapabilities& caps, const v1::JobSpec& job) {
  if (!caps.stages.count(StageOf(job))) return false;
  const std::string& kind = ExecutorKindOf(job);
  if (!kind.empty() && !caps.executor_kinds.count(kind)) return false;
  const v1::ResourceSpec& r = job.resources();
  if (r.device() != "any" && !r.device().empty() && r.device() != caps.device) return false;
  return r.min_memory_mb() <= 0 || caps.free_memory_mb >= r.min_memory_mb();
}

}  // namespace

JobScheduler::JobScheduler(Store* store, SchedulerOptions options)
    : store_(store), options_(std::move(options)), commits_(store) {}

StatusOr<std::unique_ptr<JobScheduler>> JobScheduler::Load(Store* store, SchedulerOptions options) {
  std::unique_ptr<JobScheduler> s(new JobScheduler(store, std::move(options)));
  MutexLock lock(&s->mu_);
  AUGSWEEP_RETURN_IF_ERROR(s->LoadStateLocked());
  return s;
}

int64_t JobScheduler::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status JobScheduler::LoadStateLocked() {
  std::map<std::string, v1::SweepRecord> sweeps;
  std::map<std::string, v1::JobRecord> jobs;
  std::map<std::string, std::vector<std::string>> dependents;
  Status parse_error;
  AUGSWEEP_RETURN_IF_ERROR(
      store_->Scan(Family::kSweeps, "", [&](std::string_view key, std::string_view value) {
        v1::SweepRecord sweep;
        if (!sweep.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = DataLossError("store: sweep record " + std::string(key) + " is corrupt");
          return false;
        }
        sweeps[sweep.sweep_id()] = std::move(sweep);
        return true;
      }));
  AUGSWEEP_RETURN_IF_ERROR(parse_error);
  const int64_t grace = Now() + options_.lease_ms;
  AUGSWEEP_RETURN_IF_ERROR(
      store_->Scan(Family::kJobs, "", [&](std::string_view key, std::string_view value) {
        v1::JobRecord job;
        if (!job.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = DataLossError("store: job record " + std::string(key) + " is corrupt");
          return false;
        }
        if (job.state() == v1::LEASED)
          job.set_lease_expires_unix_ms(std::max(job.lease_expires_unix_ms(), grace));
        for (const auto& dep : job.spec().depends_on()) dependents[dep].push_back(job.spec().key());
        jobs[job.spec().key()] = std::move(job);
        return true;
      }));
  AUGSWEEP_RETURN_IF_ERROR(parse_error);
  sweeps_ = std::move(sweeps);
  jobs_ = std::move(jobs);
  dependents_ = std::move(dependents);
  job_order_.clear();
  order_of_.clear();
  ready_.clear();
  lease_expiry_.clear();
  cell_result_cache_.clear();
  unwritten_results_.clear();
  progress_.clear();
  // Lease order: sweeps in submission order, each sweep's jobs in plan order.
  std::vector<const v1::SweepRecord*> by_submission;
  for (const auto& [id, sweep] : sweeps_) by_submission.push_back(&sweep);
  std::sort(by_submission.begin(), by_submission.end(), [](const auto* a, const auto* b) {
    return a->submitted_unix_ms() < b->submitted_unix_ms();
  });
  std::set<std::string> seen;
  for (const auto* sweep : by_submission) {
    for (const auto& key : sweep->job_keys()) {
      if (jobs_.count(key) && seen.insert(key).second) AppendToOrderLocked(key);
    }
  }
  for (const auto& [key, job] : jobs_) {
    if (job.state() == v1::LEASED) lease_expiry_.emplace(job.lease_expires_unix_ms(), key);
  }
  return OkStatus();
}

void JobScheduler::AppendToOrderLocked(const std::string& key) {
  order_of_[key] = job_order_.size();
  if (jobs_.at(key).state() == v1::READY) ready_.insert(job_order_.size());
  job_order_.push_back(key);
}

void JobScheduler::SetJobLocked(v1::JobRecord job) {
  const std::string key = job.spec().key();
  auto order = order_of_.find(key);
  auto it = jobs_.find(key);
  if (it != jobs_.end()) {
    const v1::JobRecord& before = it->second;
    if (before.state() == v1::READY && order != order_of_.end()) ready_.erase(order->second);
    if (before.state() == v1::LEASED) lease_expiry_.erase({before.lease_expires_unix_ms(), key});
  }
  if (job.state() == v1::READY && order != order_of_.end()) ready_.insert(order->second);
  if (job.state() == v1::LEASED) lease_expiry_.emplace(job.lease_expires_unix_ms(), key);
  jobs_[key] = std::move(job);
}

void JobScheduler::AddJobEvent(WriteSet& writes, const v1::JobRecord& job,
                               const std::string& text) const {
  v1::EventRecord event;
  event.set_unix_ms(Now());
  *event.mutable_sweep_ids() = job.sweep_ids();
  event.set_job_key(job.spec().key());
  event.set_text(text);
  writes.AppendEvent(event.SerializeAsString());
}

void JobScheduler::AddSweepEvent(WriteSet& writes, const std::string& sweep_id,
                                 const std::string& text) const {
  v1::EventRecord event;
  event.set_unix_ms(Now());
  event.add_sweep_ids(sweep_id);
  event.set_text(text);
  writes.AppendEvent(event.SerializeAsString());
}

uint64_t JobScheduler::StageJobs(WriteSet& writes, std::vector<v1::JobRecord>& jobs) {
  const int64_t now = Now();
  for (v1::JobRecord& job : jobs) {
    job.set_updated_unix_ms(now);
    writes.Put(Family::kJobs, job.spec().key(), job.SerializeAsString());
    SetJobLocked(std::move(job));
  }
  return commits_.Queue(std::move(writes));
}

Status JobScheduler::AwaitDurable(uint64_t ticket) {
  Status written = commits_.Wait(ticket);
  if (written.ok()) return written;
  MutexLock lock(&mu_);
  if (commits_.failed()) {  // the first caller to get here after the failure
    // Memory holds transitions the store does not (this one among them): go back to what the
    // store holds. Leases get a fresh length, as after a restart.
    Status reloaded = LoadStateLocked();
    if (!reloaded.ok()) {
      return InternalError(written.ToString() +
                           "; then reloading the scheduler's state failed: " + reloaded.ToString());
    }
    commits_.Reset();
    job_ready_.SignalAll();
  }
  return written;
}

bool JobScheduler::DependenciesSucceeded(
    const v1::JobSpec& spec, const std::map<std::string, v1::JobRecord>& pending) const {
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

StatusOr<SubmitOutcome> JobScheduler::Submit(const PreparedSweep& prepared,
                                             const std::string& spec_yaml) {
  const Plan& plan = prepared.plan;
  if (plan.jobs.empty()) return InvalidArgumentError("the sweep has no jobs");
  // Artifacts first: content-addressed and idempotent, so a crash here leaves nothing visible.
  const v1::JobSpec& any_job = plan.jobs.front();
  AUGSWEEP_RETURN_IF_ERROR(store_->PutArtifact(
      any_job.dataset_artifact(),
      DatasetToProto(prepared.dataset, prepared.dataset_fingerprint).SerializeAsString()));
  AUGSWEEP_RETURN_IF_ERROR(store_->PutArtifact(any_job.folds_artifact(),
                                               SplitsToProto(prepared.splits).SerializeAsString()));

  MutexLock lock(&mu_);
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
      if (EndedWithoutResult(record.state())) {
        record.set_failures(0);
        record.set_last_error("");
        record.set_state(v1::WAITING);
      }
    } else {
      *record.mutable_spec() = spec;
      record.set_state(v1::WAITING);
      new_keys.push_back(spec.key());
    }
    if (record.state() == v1::WAITING && DependenciesSucceeded(spec, pending))
      record.set_state(v1::READY);
    record.add_sweep_ids(sweep.sweep_id());
    pending[spec.key()] = std::move(record);
  }
  WriteSet writes;
  writes.Put(Family::kSweeps, sweep.sweep_id(), sweep.SerializeAsString());
  AddSweepEvent(writes, sweep.sweep_id(),
                "sweep " + sweep.sweep_id() + " submitted: " + std::to_string(plan.jobs.size()) +
                    " jobs, " + std::to_string(outcome.jobs_already_done) + " already done");
  std::vector<v1::JobRecord> changed;
  for (auto& [key, record] : pending) changed.push_back(std::move(record));
  const uint64_t ticket = StageJobs(writes, changed);
  sweeps_[sweep.sweep_id()] = std::move(sweep);
  for (const auto& key : new_keys) {
    AppendToOrderLocked(key);
    for (const auto& dep : jobs_[key].spec().depends_on()) dependents_[dep].push_back(key);
  }
  job_ready_.SignalAll();
  lock.Unlock();
  AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
  return outcome;
}

std::string JobScheduler::RegisterWorker(const WorkerRegistration& registration) {
  return workers_.Register(registration, Now());
}

StatusOr<std::optional<JobLease>> JobScheduler::LeaseJob(const LeaseRequest& request) {
  workers_.Touch(request.worker_id, "", Now());
  MutexLock lock(&mu_);
  uint64_t ticket = 0;
  StatusOr<std::optional<JobLease>> lease = LeaseJobLocked(request, &ticket);
  lock.Unlock();
  if (ticket != 0) AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
  return lease;
}

StatusOr<std::optional<JobLease>> JobScheduler::LeaseJobLocked(const LeaseRequest& request,
                                                               uint64_t* ticket) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(std::clamp<int64_t>(
                                             request.wait_ms, 0, GetTunables().lease_wait_max_ms));
  // Tickets rise in queue order, and the last one is durable only once all before it are.
  *ticket = ReleaseLeasesBeyondSlots(request.worker_id,
                                     std::clamp<int32_t>(request.capabilities.slots, 1, 64));
  while (true) {
    *ticket = std::max(*ticket, ExpireLeasesLocked());
    // The READY jobs in lease order (the loop returns as soon as it commits a lease: the
    // index it walks changes then).
    for (const size_t position : ready_) {
      const std::string& key = job_order_[position];
      const v1::JobRecord& current = jobs_.at(key);
      if (!WorkerCanRun(request.capabilities, current.spec())) continue;
      v1::JobRecord job = current;
      const int64_t now = Now();
      job.set_state(v1::LEASED);
      job.set_attempts(job.attempts() + 1);
      job.set_worker_id(request.worker_id);
      job.set_leased_unix_ms(now);
      job.set_lease_expires_unix_ms(now + options_.lease_ms);
      WriteSet writes;
      AddJobEvent(writes, job,
                  "job " + ShortKey(key) + " leased to " + request.worker_id + ", attempt " +
                      std::to_string(job.attempts()));
      JobLease lease{key, StageOf(job.spec()), job.attempts(), job.lease_expires_unix_ms(),
                     job.spec().SerializeAsString()};
      std::vector<v1::JobRecord> changed{std::move(job)};
      *ticket = StageJobs(writes, changed);
      progress_.erase(key);
      workers_.Touch(request.worker_id, key, now);
      return std::optional<JobLease>(std::move(lease));
    }
    if (shutdown_ || !job_ready_.WaitUntil(&mu_, deadline)) return std::optional<JobLease>();
  }
}

const v1::JobRecord* JobScheduler::CurrentLease(const AttemptRef& attempt) const {
  auto it = jobs_.find(attempt.job_key);
  if (it == jobs_.end() || it->second.state() != v1::LEASED ||
      it->second.attempts() != attempt.attempt || it->second.worker_id() != attempt.worker_id) {
    return nullptr;
  }
  return &it->second;
}

HeartbeatAnswer JobScheduler::Heartbeat(const HeartbeatReport& report) {
  const AttemptRef& attempt = report.attempt;
  const int64_t now = Now();
  HeartbeatAnswer answer;
  MutexLock lock(&mu_);
  const v1::JobRecord* current = CurrentLease(attempt);
  // Lost the lease (expired and re-leased, completed by an earlier attempt, cancelled): stop.
  if (current == nullptr) {
    answer.cancelled = true;
    workers_.Touch(attempt.worker_id, "", now);
    return answer;
  }
  // A job may not hold a lease past its time limit, even while it heartbeats (a hung step).
  const int64_t limit_ms = int64_t{current->spec().resources().time_limit_s()} * 1000;
  if (limit_ms > 0 && current->leased_unix_ms() > 0 && now - current->leased_unix_ms() > limit_ms) {
    v1::JobRecord job = *current;
    WriteSet writes;
    std::vector<v1::JobRecord> changed;
    const std::string error = "exceeded its time limit of " +
                              std::to_string(job.spec().resources().time_limit_s()) + " s";
    RecordFailure(job, error, true, changed);
    AddJobEvent(writes, job,
                "job " + ShortKey(job.spec().key()) + " attempt " + std::to_string(job.attempts()) +
                    " " + error);
    changed.push_back(std::move(job));
    const uint64_t ticket = StageJobs(writes, changed);
    job_ready_.SignalAll();
    lock.Unlock();
    if (AwaitDurable(ticket).ok()) {
      answer.cancelled = true;
      return answer;
    }
    // The store could not write it: memory is back to what the store holds, where the lease
    // stands with a fresh length; the next heartbeat tries again.
    answer.expires_unix_ms = now + options_.lease_ms;
    return answer;
  }
  // Extensions live in memory only: after a restart, Load() grants every lease a fresh length.
  v1::JobRecord job = *current;
  job.set_lease_expires_unix_ms(now + options_.lease_ms);
  answer.expires_unix_ms = job.lease_expires_unix_ms();
  SetJobLocked(std::move(job));
  progress_[attempt.job_key] = report.progress;
  workers_.Touch(attempt.worker_id, attempt.job_key, now);
  return answer;
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

StatusOr<bool> JobScheduler::CompleteJob(const Completion& completion) {
  const AttemptRef& attempt = completion.attempt;
  const int64_t now = Now();
  workers_.Touch(attempt.worker_id, "", now);
  MutexLock lock(&mu_);
  auto it = jobs_.find(attempt.job_key);
  if (it == jobs_.end()) return NotFoundError("CompleteJob: unknown job " + attempt.job_key);
  const v1::JobRecord& current = it->second;
  WriteSet writes;
  // A result from any attempt that was handed out is as good as another (jobs are
  // deterministic), but only the first one counts.
  if (current.state() == v1::SUCCEEDED || current.state() == v1::CANCELLED || attempt.attempt < 1 ||
      attempt.attempt > current.attempts()) {
    AddJobEvent(writes, current,
                "job " + ShortKey(attempt.job_key) + ": ignored completion of attempt " +
                    std::to_string(attempt.attempt) + " from " + attempt.worker_id + " (job is " +
                    v1::JobState_Name(current.state()) + ")");
    const uint64_t ticket = commits_.Queue(std::move(writes));
    lock.Unlock();
    AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
    return false;
  }
  if (completion.result_stage != StageOf(current.spec())) {
    return InvalidArgumentError("CompleteJob: the result of " + attempt.job_key + " is not a " +
                                v1::JobKind_Name(current.spec().kind()) + " result");
  }
  v1::JobRecord job = current;
  if (job.state() == v1::LEASED && job.leased_unix_ms() > 0) {
    const double seconds = (now - job.leased_unix_ms()) / 1000.0;
    durations_.Add(StageOf(job.spec()), seconds);
    job_seconds_.try_emplace(StageOf(job.spec()), JobBucketsSeconds())
        .first->second.Observe(seconds);
  }
  job.set_state(v1::SUCCEEDED);
  job.set_completed_attempt(attempt.attempt);
  job.set_last_error("");
  writes.Put(Family::kResults, attempt.job_key, completion.result);
  AddJobEvent(writes, job,
              "job " + ShortKey(attempt.job_key) + " succeeded, attempt " +
                  std::to_string(attempt.attempt) + " on " + attempt.worker_id);
  std::vector<v1::JobRecord> changed;
  UpdateDependents(attempt.job_key, v1::SUCCEEDED, changed);
  changed.push_back(std::move(job));
  const uint64_t ticket = StageJobs(writes, changed);
  unwritten_results_[attempt.job_key] = {ticket, completion.result};
  progress_.erase(attempt.job_key);
  job_ready_.SignalAll();
  lock.Unlock();
  const Status written = AwaitDurable(ticket);
  MutexLock relock(&mu_);
  auto unwritten = unwritten_results_.find(attempt.job_key);
  if (unwritten != unwritten_results_.end() && unwritten->second.first == ticket)
    unwritten_results_.erase(unwritten);
  AUGSWEEP_RETURN_IF_ERROR(written);
  return true;
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

StatusOr<bool> JobScheduler::FailJob(const Failure& failure) {
  const AttemptRef& attempt = failure.attempt;
  workers_.Touch(attempt.worker_id, "", Now());
  MutexLock lock(&mu_);
  if (!jobs_.count(attempt.job_key))
    return NotFoundError("FailJob: unknown job " + attempt.job_key);
  const v1::JobRecord* current = CurrentLease(attempt);
  if (current == nullptr) return false;  // a stale report: that lease is gone already
  v1::JobRecord job = *current;
  WriteSet writes;
  std::vector<v1::JobRecord> changed;
  RecordFailure(job, failure.error, failure.retryable, changed);
  AddJobEvent(writes, job,
              "job " + ShortKey(attempt.job_key) + " attempt " + std::to_string(attempt.attempt) +
                  " failed on " + attempt.worker_id + ": " + failure.error);
  const bool will_retry = job.state() == v1::READY;
  changed.push_back(std::move(job));
  const uint64_t ticket = StageJobs(writes, changed);
  progress_.erase(attempt.job_key);
  job_ready_.SignalAll();
  lock.Unlock();
  AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
  return will_retry;
}

Status JobScheduler::GiveBackLease(const AttemptRef& attempt) {
  workers_.Touch(attempt.worker_id, "", Now());
  MutexLock lock(&mu_);
  if (!jobs_.count(attempt.job_key))
    return NotFoundError("GiveBackLease: unknown job " + attempt.job_key);
  const v1::JobRecord* current = CurrentLease(attempt);
  if (current == nullptr) return OkStatus();  // that lease is gone already
  v1::JobRecord job = *current;
  job.set_state(v1::READY);
  job.set_worker_id("");
  WriteSet writes;
  AddJobEvent(writes, job,
              "job " + ShortKey(attempt.job_key) + " attempt " + std::to_string(attempt.attempt) +
                  " given back by " + attempt.worker_id);
  std::vector<v1::JobRecord> changed{std::move(job)};
  const uint64_t ticket = StageJobs(writes, changed);
  progress_.erase(attempt.job_key);
  job_ready_.SignalAll();
  lock.Unlock();
  return AwaitDurable(ticket);
}

// A worker that asks for a job while it holds a lease for each of its slots has lost track of
// one (a reply that never reached it) or is misbehaving: either way it is not running the oldest,
// which goes back to READY at once instead of waiting for its lease to expire. No worker holds
// more jobs than it declared slots for.
// A scan of the leased jobs (lease_expiry_), not of every job.
uint64_t JobScheduler::ReleaseLeasesBeyondSlots(const std::string& worker_id, int32_t slots) {
  std::vector<const v1::JobRecord*> held;
  for (const auto& [expiry, key] : lease_expiry_) {
    const v1::JobRecord& job = jobs_.at(key);
    if (job.worker_id() == worker_id) held.push_back(&job);
  }
  if (static_cast<int32_t>(held.size()) < slots) return 0;
  std::sort(held.begin(), held.end(), [](const v1::JobRecord* a, const v1::JobRecord* b) {
    return a->leased_unix_ms() < b->leased_unix_ms();
  });
  held.resize(held.size() - static_cast<size_t>(slots) + 1);
  WriteSet writes;
  std::vector<v1::JobRecord> changed;
  std::vector<std::string> released;
  for (const v1::JobRecord* current : held) {
    v1::JobRecord job = *current;
    released.push_back(job.spec().key());
    job.set_state(v1::READY);
    job.set_worker_id("");
    AddJobEvent(writes, job,
                "job " + ShortKey(job.spec().key()) + " attempt " + std::to_string(job.attempts()) +
                    " given back: " + worker_id + " asked for another job while holding " +
                    std::to_string(slots) + " lease(s) for its " + std::to_string(slots) +
                    " slot(s)");
    changed.push_back(std::move(job));
  }
  const uint64_t ticket = StageJobs(writes, changed);  // moves `changed` into jobs_
  for (const std::string& key : released) progress_.erase(key);
  job_ready_.SignalAll();
  return ticket;
}

void JobScheduler::ExpireLeases() {
  MutexLock lock(&mu_);
  const uint64_t ticket = ExpireLeasesLocked();
  lock.Unlock();
  // A failed write is undone by AwaitDurable; the leases expire again on the next call.
  if (ticket != 0) (void)AwaitDurable(ticket);
}

uint64_t JobScheduler::ExpireLeasesLocked() {
  const int64_t now = Now();
  WriteSet writes;
  std::vector<v1::JobRecord> changed;
  // Only the leases that have run out, soonest first.
  std::vector<std::string> expired;
  for (auto it = lease_expiry_.begin(); it != lease_expiry_.end() && it->first <= now; ++it)
    expired.push_back(it->second);
  for (const std::string& key : expired) {
    v1::JobRecord job = jobs_.at(key);
    const std::string worker = job.worker_id();
    RecordFailure(job, "lease expired: worker " + worker + " stopped heartbeating", true, changed);
    AddJobEvent(writes, job,
                "job " + ShortKey(key) + " lease of " + worker + " expired, attempt " +
                    std::to_string(job.attempts()));
    changed.push_back(std::move(job));
  }
  if (changed.empty()) return 0;
  const uint64_t ticket = StageJobs(writes, changed);
  job_ready_.SignalAll();
  return ticket;
}

SweepProgress JobScheduler::ProgressLocked(const v1::SweepRecord& sweep) const {
  const int32_t active =
      workers_.CountActive(Now(), ActiveWindowMs(options_.heartbeat_interval_ms));
  return ComputeSweepProgress(sweep, jobs_, progress_, durations_, active);
}

StatusOr<SweepProgress> JobScheduler::GetStatus(const std::string& sweep_id) {
  MutexLock lock(&mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  return ProgressLocked(it->second);
}

std::vector<SweepProgress> JobScheduler::ListSweeps() {
  MutexLock lock(&mu_);
  std::vector<SweepProgress> out;
  for (const auto& [id, sweep] : sweeps_) out.push_back(ProgressLocked(sweep));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.submitted_unix_ms < b.submitted_unix_ms; });
  return out;
}

StatusOr<std::optional<std::string>> JobScheduler::ResultLocked(const std::string& job_key) {
  auto unwritten = unwritten_results_.find(job_key);
  if (unwritten != unwritten_results_.end())
    return std::optional<std::string>(unwritten->second.second);
  return store_->Get(Family::kResults, job_key);
}

StatusOr<CellResult> JobScheduler::CellResultLocked(const std::string& job_key,
                                                    const std::vector<std::string>& themes) {
  auto cached = cell_result_cache_.find(job_key);
  if (cached != cell_result_cache_.end()) return cached->second;
  auto job = jobs_.find(job_key);
  if (job == jobs_.end()) return CellResult{};
  const v1::JobState state = job->second.state();
  if (state != v1::SUCCEEDED) {
    CellResult missing;
    missing.failed = EndedWithoutResult(state);
    return missing;
  }
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ResultLocked(job_key));
  v1::JobResult result;
  if (!bytes || !result.ParseFromString(*bytes)) {
    return DataLossError("store: result of " + job_key + " is missing or corrupt");
  }
  CellResult out;
  out.has_result = true;
  const v1::TrainEvalResult& train = result.train_eval();
  if (train.macro_defined()) out.macro_auc = train.macro_auc();
  out.theme_aucs.resize(themes.size());
  for (const v1::ThemeAuc& theme : train.per_theme()) {
    auto at = std::find(themes.begin(), themes.end(), theme.theme());
    if (at != themes.end() && theme.defined())
      out.theme_aucs[static_cast<size_t>(at - themes.begin())] = theme.auc();
  }
  const int32_t n = job->second.spec().train_eval().augment_count();
  for (int32_t used : train.synthetic_per_theme()) out.short_of_texts |= used < n;
  cell_result_cache_[job_key] = out;
  return out;
}

StatusOr<SweepCells> JobScheduler::GetResults(const std::string& sweep_id) {
  MutexLock lock(&mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  const v1::SweepRecord& sweep = it->second;
  SweepCells out;
  out.sweep_id = sweep_id;
  for (const auto& c : sweep.spec().classifiers()) out.classifiers.push_back(c.name());
  if (!sweep.job_keys().empty()) {
    auto first = jobs_.find(sweep.job_keys(0));
    if (first != jobs_.end())
      out.themes.assign(first->second.spec().themes().begin(), first->second.spec().themes().end());
  }
  for (const v1::SweepCell& cell : sweep.cells()) {
    CellOutcome outcome{cell.classifier(),    cell.generator(), cell.temperature(),
                        cell.augment_count(), cell.filter(),    cell.repeat(),
                        cell.fold(),          cell.job_key(),   CellResult{}};
    AUGSWEEP_ASSIGN_OR_RETURN(outcome.result, CellResultLocked(cell.job_key(), out.themes));
    out.cells.push_back(std::move(outcome));
  }
  return out;
}

StatusOr<std::vector<SetJobOutcome>> JobScheduler::GetSetJobs(const std::string& sweep_id) {
  MutexLock lock(&mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  std::vector<SetJobOutcome> out;
  for (const std::string& key : it->second.job_keys()) {
    auto job = jobs_.find(key);
    if (job == jobs_.end()) continue;
    const v1::JobKind kind = job->second.spec().kind();
    if (kind != v1::GENERATE && kind != v1::FILTER) continue;
    SetJobOutcome outcome;
    outcome.job_key = key;
    outcome.job_spec = job->second.spec().SerializeAsString();
    const v1::JobState state = job->second.state();
    outcome.failed = EndedWithoutResult(state);
    if (state == v1::SUCCEEDED) {
      AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ResultLocked(key));
      if (!bytes) return DataLossError("store: result of " + key + " is missing");
      outcome.result = std::move(*bytes);
    }
    out.push_back(std::move(outcome));
  }
  return out;
}

SchedulerStats JobScheduler::Stats() const {
  SchedulerStats stats;
  const int64_t now = Now();
  stats.active_workers = workers_.CountActive(now, ActiveWindowMs(options_.heartbeat_interval_ms));
  stats.known_workers = static_cast<int32_t>(workers_.List().size());
  MutexLock lock(&mu_);
  std::map<std::pair<JobStage, int>, int32_t> counts;
  for (const auto& [key, job] : jobs_) ++counts[{StageOf(job.spec()), job.state()}];
  for (JobStage stage : kJobStages) {
    for (int state = v1::WAITING; state <= v1::CANCELLED; ++state) {
      std::string name = v1::JobState_Name(static_cast<v1::JobState>(state));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      stats.jobs.push_back({stage, name, counts[{stage, state}]});
    }
  }
  stats.sweeps = static_cast<int32_t>(sweeps_.size());
  for (JobStage stage : kJobStages) {
    auto it = job_seconds_.find(stage);
    stats.job_seconds.emplace(
        stage, it != job_seconds_.end() ? it->second : Histogram(JobBucketsSeconds()));
  }
  stats.store_write_seconds = commits_.write_seconds();
  stats.store_sets_written = commits_.sets_written();
  return stats;
}

StatusOr<int32_t> JobScheduler::CancelSweep(const std::string& sweep_id) {
  MutexLock lock(&mu_);
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
  AddSweepEvent(writes, sweep_id,
                "sweep " + sweep_id + " cancelled, " + std::to_string(changed.size()) + " jobs");
  const int32_t count = static_cast<int32_t>(changed.size());
  const uint64_t ticket = StageJobs(writes, changed);
  it->second = std::move(sweep);
  lock.Unlock();
  AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
  return count;
}

StatusOr<int32_t> JobScheduler::RetryFailed(const std::string& sweep_id) {
  MutexLock lock(&mu_);
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return NotFoundError("no sweep " + sweep_id);
  if (it->second.cancelled())
    return FailedPreconditionError("sweep " + sweep_id + " was cancelled");
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
  AddSweepEvent(writes, sweep_id,
                "sweep " + sweep_id + ": " + std::to_string(pending.size()) + " jobs retried");
  std::vector<v1::JobRecord> changed;
  for (auto& [key, record] : pending) changed.push_back(std::move(record));
  const int32_t count = static_cast<int32_t>(changed.size());
  const uint64_t ticket = StageJobs(writes, changed);
  job_ready_.SignalAll();
  lock.Unlock();
  AUGSWEEP_RETURN_IF_ERROR(AwaitDurable(ticket));
  return count;
}

void JobScheduler::Shutdown() {
  MutexLock lock(&mu_);
  shutdown_ = true;
  job_ready_.SignalAll();
}

}  // namespace augsweep
