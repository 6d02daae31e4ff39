// Tests of the coordinator's scheduler: the job state machine (WAITING → READY → LEASED →
// SUCCEEDED, retries, FAILED/BLOCKED), leases and their expiry under an injected clock,
// idempotent completion, cancellation, restarts on the same store, and the result table view.
// A real Store in a temporary directory; a sweep planned by PrepareSweep from a spec built here.
// The fixture talks to the scheduler through the service layer's conversions
// (coordinator/service/scheduler_protos.h), as the gRPC handlers do, so they are tested too.
#include "coordinator/scheduler/job_scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/planner/prepare_sweep.h"
#include "coordinator/service/event_log.h"
#include "coordinator/service/result_aggregation.h"
#include "coordinator/service/scheduler_protos.h"
#include "coordinator/store/store.h"

namespace augsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
namespace fs = std::filesystem;

constexpr int64_t kStart = 1'700'000'000'000;  // the fake clock's first reading
constexpr int64_t kLeaseMs = 1000;
constexpr int kFolds = 3;
const char* const kWorker = "worker-a";

// 30 rows, 3 themes, every theme on 13–14 rows so that every fold has positives and negatives.
std::string DatasetCsv() {
  const char* const kThemes[] = {"care", "teamwork", "workload"};
  std::string csv = "id,text,themes\n";
  for (int i = 0; i < 30; ++i) {
    std::string labels = kThemes[i % 3];
    if (i % 5 == 0) labels += std::string(";") + kThemes[(i + 1) % 3];
    csv += "r" + std::to_string(i) + ",answer number " + std::to_string(i) + " about " +
           kThemes[i % 3] + "," + labels + "\n";
  }
  return csv;
}

v1::SweepSpec MakeSpec(std::vector<double> temperatures = {0.7}) {
  v1::SweepSpec spec;
  spec.set_name("sched-test");
  spec.set_spec_path("/tmp/sched-test.yaml");
  spec.set_seed(11);
  v1::DatasetSpec* d = spec.mutable_dataset();
  d->set_path("/tmp/sched-test.csv");
  d->set_format(v1::DatasetSpec::CSV);
  d->set_id_field("id");
  d->set_text_field("text");
  d->set_label_field("themes");
  d->set_label_separator(";");
  spec.mutable_cv()->set_folds(kFolds);
  spec.mutable_cv()->set_repeats(1);
  spec.mutable_cv()->set_seed(5);
  v1::GeneratorSpec* g = spec.add_generators();
  g->set_name("eda");
  g->set_kind("eda");
  g->set_eda_alpha(0.1);
  for (double t : temperatures) spec.add_temperatures(t);
  spec.add_augment_counts(0);
  spec.add_augment_counts(5);
  v1::ClassifierSpec* c = spec.add_classifiers();
  c->set_name("tfidf");
  c->set_kind("tfidf-logreg");
  c->set_epochs(10);
  c->set_learning_rate(0.5);
  return spec;
}

PreparedSweep Prepare(const v1::SweepSpec& spec) {
  StatusOr<PreparedSweep> prepared = PrepareSweep(ParsedSpec{spec, {}}, DatasetCsv());
  EXPECT_TRUE(prepared.ok()) << prepared.status().ToString();
  return prepared.ok() ? std::move(prepared).value() : PreparedSweep{};
}

v1::WorkerCapabilities CpuCaps() {
  v1::WorkerCapabilities caps;
  caps.set_device("cpu");
  caps.set_free_memory_mb(4000);
  caps.add_job_kinds(v1::GENERATE);
  caps.add_job_kinds(v1::TRAIN_EVAL);
  caps.add_executor_kinds("eda");
  caps.add_executor_kinds("tfidf-logreg");
  // These tests lease many jobs to one worker id as if to many workers; the slot limit has its
  // own test (AWorkerHoldsAtMostOneLeasePerSlot).
  caps.set_slots(64);
  return caps;
}

// Keys of a plan by role, in plan order.
struct PlanKeys {
  std::vector<std::string> generate;       // one per fold
  std::vector<std::string> baseline;       // n = 0, one per fold
  std::vector<std::string> augmented;      // n = 5, one per fold (per filter)
  std::vector<std::string> filter;         // one per fold and filter with checks
  std::map<std::string, std::string> dep;  // augmented key → its generate key
  std::map<std::string, int> fold;         // any key → its fold
};

PlanKeys KeysOf(const Plan& plan) {
  PlanKeys k;
  for (const v1::JobSpec& job : plan.jobs) {
    k.fold[job.key()] = job.fold().fold();
    if (job.kind() == v1::GENERATE) {
      k.generate.push_back(job.key());
    } else if (job.kind() == v1::FILTER) {
      k.filter.push_back(job.key());
    } else if (job.train_eval().augment_count() == 0) {
      k.baseline.push_back(job.key());
    } else {
      k.augmented.push_back(job.key());
      k.dep[job.key()] = job.depends_on(0);
    }
  }
  return k;
}

v1::JobResult GenerateResult(const std::string& key, int attempt) {
  v1::JobResult r;
  r.set_job_key(key);
  r.set_attempt(attempt);
  r.mutable_generate()->set_synthetic_artifact("x");
  return r;
}

v1::JobResult TrainResult(const std::string& key, int attempt, double macro_auc,
                          bool defined = true) {
  v1::JobResult r;
  r.set_job_key(key);
  r.set_attempt(attempt);
  r.mutable_train_eval()->set_macro_defined(defined);
  r.mutable_train_eval()->set_macro_auc(defined ? macro_auc : 0.0);
  return r;
}

class JobSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            ("augsweep_sched_test_" + std::to_string(getpid()) + "_" + info->name()))
               .string();
    fs::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    fs::remove_all(dir_);
  }

  void Open() {
    StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    SchedulerOptions options;
    options.lease_ms = kLeaseMs;
    options.heartbeat_interval_ms = 100;
    options.max_attempts = 3;
    options.now_ms = [this] { return now_; };
    StatusOr<std::unique_ptr<JobScheduler>> scheduler = JobScheduler::Load(store_.get(), options);
    ASSERT_TRUE(scheduler.ok()) << scheduler.status().ToString();
    scheduler_ = std::move(scheduler).value();
  }
  void Close() {
    scheduler_.reset();  // before the store it points to
    store_.reset();
  }
  void Restart() {
    Close();
    Open();
  }

  // Submits `spec` and remembers its plan's keys in keys_.
  SubmitOutcome Submit(const v1::SweepSpec& spec) {
    PreparedSweep prepared = Prepare(spec);
    keys_ = KeysOf(prepared.plan);
    StatusOr<SubmitOutcome> outcome = scheduler_->Submit(prepared, "name: " + spec.name() + "\n");
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : SubmitOutcome{};
  }

  // The job as the store has it: every transition is written there before it takes effect.
  v1::JobRecord Stored(const std::string& key) {
    StatusOr<std::optional<std::string>> bytes = store_->Get(Family::kJobs, key);
    EXPECT_TRUE(bytes.ok() && bytes->has_value()) << key;
    v1::JobRecord job;
    if (bytes.ok() && bytes->has_value()) {
      EXPECT_TRUE(job.ParseFromString(**bytes));
    }
    return job;
  }
  v1::JobState StateOf(const std::string& key) { return Stored(key).state(); }

  // A lease for a worker with `caps`, or nullopt when nothing is ready (never waits).
  std::optional<v1::Lease> Lease(const v1::WorkerCapabilities& caps = CpuCaps(),
                                 const std::string& worker = kWorker) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker);
    *request.mutable_capabilities() = caps;
    request.set_wait_ms(0);
    StatusOr<v1::LeaseJobResponse> response = LeaseJob(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok() || !response->has_lease()) return std::nullopt;
    return response->lease();
  }

  // What WorkerServiceImpl::LeaseJob answers.
  StatusOr<v1::LeaseJobResponse> LeaseJob(const v1::LeaseJobRequest& request) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::optional<JobLease> lease,
                              scheduler_->LeaseJob(FromProto(request)));
    v1::LeaseJobResponse response;
    if (lease) {
      AUGSWEEP_ASSIGN_OR_RETURN(*response.mutable_lease(), ToProto(*lease));
    }
    return response;
  }

  // Leases jobs until `key` comes up (the others are given back) and returns its lease.
  v1::Lease LeaseKey(const std::string& key, const std::string& worker = kWorker) {
    std::vector<v1::Lease> others;
    std::optional<v1::Lease> found;
    while (std::optional<v1::Lease> lease = Lease(CpuCaps(), worker)) {
      if (lease->job().key() == key) {
        found = lease;
        break;
      }
      others.push_back(*lease);
    }
    for (const v1::Lease& other : others) Release(other, worker);
    EXPECT_TRUE(found.has_value()) << "job " << key << " was not offered";
    return found.value_or(v1::Lease());
  }

  void Release(const v1::Lease& lease, const std::string& worker = kWorker) {
    ASSERT_TRUE(scheduler_->GiveBackLease({worker, lease.job().key(), lease.attempt()}).ok());
  }

  StatusOr<v1::CompleteJobResponse> Complete(const v1::JobResult& result,
                                             const std::string& worker = kWorker) {
    v1::CompleteJobRequest request;
    request.set_worker_id(worker);
    *request.mutable_result() = result;
    AUGSWEEP_ASSIGN_OR_RETURN(bool accepted, scheduler_->CompleteJob(FromProto(request)));
    v1::CompleteJobResponse response;
    response.set_accepted(accepted);
    return response;
  }
  bool CompleteOk(const v1::JobResult& result, const std::string& worker = kWorker) {
    StatusOr<v1::CompleteJobResponse> response = Complete(result, worker);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() && response->accepted();
  }

  // `given_back`: the worker returns the lease (GiveBackLease) instead of reporting a failure.
  StatusOr<v1::FailJobResponse> Fail(const v1::Lease& lease, bool retryable,
                                     bool given_back = false, const std::string& worker = kWorker,
                                     int attempt = -1) {
    v1::FailJobRequest request;
    request.set_worker_id(worker);
    request.set_job_key(lease.job().key());
    request.set_attempt(attempt < 0 ? lease.attempt() : attempt);
    request.set_error("boom");
    request.set_retryable(retryable);
    v1::FailJobResponse response;
    if (given_back) {
      const Failure failure = FromProto(request);
      AUGSWEEP_RETURN_IF_ERROR(scheduler_->GiveBackLease(failure.attempt));
      return response;
    }
    AUGSWEEP_ASSIGN_OR_RETURN(bool will_retry, scheduler_->FailJob(FromProto(request)));
    response.set_will_retry(will_retry);
    return response;
  }

  v1::HeartbeatResponse Heartbeat(const std::string& key, int attempt,
                                  const std::string& worker = kWorker) {
    v1::HeartbeatRequest request;
    request.set_worker_id(worker);
    request.set_job_key(key);
    request.set_attempt(attempt);
    request.set_progress(0.5f);
    const HeartbeatAnswer answer = scheduler_->Heartbeat(FromProto(request));
    v1::HeartbeatResponse response;
    response.set_cancelled(answer.cancelled);
    response.set_expires_unix_ms(answer.expires_unix_ms);
    return response;
  }

  // Leases and completes everything that can run (dependents as they become ready), with
  // macro AUC `auc_of(key)` for train/eval jobs. Returns how many jobs it completed.
  int DrainAll(const std::function<std::optional<double>(const std::string&)>& auc_of =
                   [](const std::string&) { return 0.75; }) {
    int done = 0;
    while (std::optional<v1::Lease> lease = Lease()) {
      const v1::JobSpec& job = lease->job();
      v1::JobResult result =
          job.kind() == v1::GENERATE
              ? GenerateResult(job.key(), lease->attempt())
              : TrainResult(job.key(), lease->attempt(), auc_of(job.key()).value_or(0.0),
                            auc_of(job.key()).has_value());
      EXPECT_TRUE(CompleteOk(result));
      ++done;
    }
    return done;
  }

  v1::SweepStatus StatusOf(const std::string& sweep_id) {
    StatusOr<SweepProgress> progress = scheduler_->GetStatus(sweep_id);
    EXPECT_TRUE(progress.ok()) << progress.status().ToString();
    return progress.ok() ? ToProto(*progress) : v1::SweepStatus();
  }

  // What SweepServiceImpl::GetResults answers.
  StatusOr<v1::GetResultsResponse> Results(const std::string& sweep_id) {
    AUGSWEEP_ASSIGN_OR_RETURN(SweepCells cells, scheduler_->GetResults(sweep_id));
    return AggregateResults(cells);
  }

  static const v1::StageCounts& Stage(const v1::SweepStatus& status, const std::string& stage) {
    for (const auto& s : status.stages()) {
      if (s.stage() == stage) return s;
    }
    ADD_FAILURE() << "no stage " << stage;
    return v1::StageCounts::default_instance();
  }

  std::string dir_;
  int64_t now_ = kStart;
  std::unique_ptr<Store> store_;
  std::unique_ptr<JobScheduler> scheduler_;
  PlanKeys keys_;
};

// ---------------------------------------------------------------------------------------------
// Submit

TEST_F(JobSchedulerTest, SubmitStoresJobsInTheirInitialStates) {
  SubmitOutcome outcome = Submit(MakeSpec());
  // 3 folds × (1 generate + 1 baseline + 1 augmented train/eval).
  EXPECT_EQ(outcome.unique_jobs, 9);
  EXPECT_EQ(outcome.jobs_already_done, 0);
  ASSERT_EQ(keys_.generate.size(), 3u);
  ASSERT_EQ(keys_.baseline.size(), 3u);
  ASSERT_EQ(keys_.augmented.size(), 3u);
  for (const auto& k : keys_.generate) EXPECT_EQ(StateOf(k), v1::READY) << k;
  for (const auto& k : keys_.baseline) EXPECT_EQ(StateOf(k), v1::READY) << k;
  for (const auto& k : keys_.augmented) {
    EXPECT_EQ(StateOf(k), v1::WAITING) << k;
    EXPECT_EQ(Stored(k).sweep_ids(0), outcome.sweep_id);
  }
  v1::SweepStatus status = StatusOf(outcome.sweep_id);
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_PENDING);
  EXPECT_EQ(status.name(), "sched-test");
  EXPECT_EQ(status.submitted_unix_ms(), kStart);
  EXPECT_EQ(Stage(status, "generate").ready(), 3);
  EXPECT_EQ(Stage(status, "train_eval").ready(), 3);
  EXPECT_EQ(Stage(status, "train_eval").waiting(), 3);
  EXPECT_EQ(status.eta_seconds(), -1);  // nothing has run yet
  EXPECT_EQ(scheduler_->GetStatus("sw-nope").status().code(), StatusCode::kNotFound);
  // The sweep's data is stored for the workers.
  StatusOr<std::optional<ArtifactInfo>> dataset =
      store_->StatArtifact(Stored(keys_.generate[0]).spec().dataset_artifact());
  ASSERT_TRUE(dataset.ok());
  EXPECT_TRUE(dataset->has_value());
}

TEST_F(JobSchedulerTest, SecondSubmitSharesEveryJob) {
  SubmitOutcome first = Submit(MakeSpec());
  const PlanKeys keys = keys_;
  // Finish fold 0's generate job and baseline.
  v1::Lease gen = LeaseKey(keys.generate[0]);
  ASSERT_TRUE(CompleteOk(GenerateResult(gen.job().key(), gen.attempt())));
  v1::Lease base = LeaseKey(keys.baseline[0]);
  ASSERT_TRUE(CompleteOk(TrainResult(base.job().key(), base.attempt(), 0.7)));

  now_ += 10;
  SubmitOutcome second = Submit(MakeSpec());
  EXPECT_NE(second.sweep_id, first.sweep_id);
  EXPECT_EQ(second.unique_jobs, 9);
  EXPECT_EQ(second.jobs_already_done, 2);
  int stored_jobs = 0;
  ASSERT_TRUE(store_
                  ->Scan(Family::kJobs, "",
                         [&](std::string_view, std::string_view) {
                           ++stored_jobs;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(stored_jobs, 9);  // nothing new to run
  for (const auto& [key, fold] : keys_.fold) {
    EXPECT_THAT(Stored(key).sweep_ids(), UnorderedElementsAre(first.sweep_id, second.sweep_id))
        << key;
  }
  // Shared states are untouched: done stays done, and the second sweep is already under way.
  EXPECT_EQ(StateOf(keys.generate[0]), v1::SUCCEEDED);
  EXPECT_EQ(StateOf(keys.baseline[0]), v1::SUCCEEDED);
  EXPECT_EQ(Stored(keys.generate[0]).attempts(), 1);
  EXPECT_EQ(StateOf(keys.augmented[0]), v1::READY);
  EXPECT_EQ(StateOf(keys.augmented[1]), v1::WAITING);
  EXPECT_EQ(Stage(StatusOf(second.sweep_id), "generate").succeeded(), 1);
  EXPECT_EQ(StatusOf(second.sweep_id).state(), v1::SWEEP_STATE_RUNNING);
  EXPECT_EQ(scheduler_->ListSweeps().size(), 2u);
}

TEST_F(JobSchedulerTest, SubmitAfterRestartAtTheSameInstantGetsANewSweepId) {
  // The clock does not move; the id must still be new, or the first sweep's record is replaced.
  SubmitOutcome first = Submit(MakeSpec());
  Restart();
  SubmitOutcome second = Submit(MakeSpec());
  EXPECT_NE(second.sweep_id, first.sweep_id);
  EXPECT_EQ(scheduler_->ListSweeps().size(), 2u);
  EXPECT_THAT(Stored(keys_.generate[0]).sweep_ids(),
              UnorderedElementsAre(first.sweep_id, second.sweep_id));
}

// ---------------------------------------------------------------------------------------------
// LeaseJob

TEST_F(JobSchedulerTest, LeasesReadyJobsInPlanOrderWithIncreasingAttempts) {
  Submit(MakeSpec());
  std::optional<v1::Lease> first = Lease();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->job().key(), keys_.generate[0]);  // generate jobs come first
  EXPECT_EQ(first->attempt(), 1);
  EXPECT_EQ(first->expires_unix_ms(), kStart + kLeaseMs);
  v1::JobRecord leased = Stored(first->job().key());
  EXPECT_EQ(leased.state(), v1::LEASED);
  EXPECT_EQ(leased.worker_id(), kWorker);
  EXPECT_EQ(leased.attempts(), 1);

  // Given back: offered again with the next attempt number.
  ASSERT_TRUE(Fail(*first, /*retryable=*/true, /*given_back=*/true).ok());
  std::optional<v1::Lease> second = Lease();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->job().key(), keys_.generate[0]);
  EXPECT_EQ(second->attempt(), 2);
  // A lease that expired: attempt 3.
  now_ += kLeaseMs;
  std::optional<v1::Lease> third = Lease();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->job().key(), keys_.generate[0]);
  EXPECT_EQ(third->attempt(), 3);
}

TEST_F(JobSchedulerTest, AWorkerHoldsAtMostOneLeasePerSlot) {
  Submit(MakeSpec());
  auto held_by = [&](const std::string& worker) {
    int held = 0;
    for (const auto& [key, fold] : keys_.fold) {
      const v1::JobRecord job = Stored(key);
      held += job.state() == v1::LEASED && job.worker_id() == worker;
    }
    return held;
  };
  v1::WorkerCapabilities one_slot = CpuCaps();
  one_slot.set_slots(1);
  std::optional<v1::Lease> first = Lease(one_slot, "one-slot");
  ASSERT_TRUE(first.has_value());
  // Asking again while holding its only slot: the first lease goes back (the reply may have
  // been lost), and the worker still holds one.
  now_ += 1;
  std::optional<v1::Lease> again = Lease(one_slot, "one-slot");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(held_by("one-slot"), 1);
  EXPECT_EQ(again->job().key(), first->job().key()) << "the given-back job is first in line";
  EXPECT_EQ(again->attempt(), first->attempt() + 1);
  // The old attempt is no longer live: its completion is not accepted as the current lease's.
  EXPECT_EQ(Stored(first->job().key()).attempts(), again->attempt());

  v1::WorkerCapabilities two_slots = CpuCaps();
  two_slots.set_slots(2);
  for (int i = 0; i < 4; ++i) {
    now_ += 1;
    ASSERT_TRUE(Lease(two_slots, "two-slots").has_value());
    EXPECT_LE(held_by("two-slots"), 2);
  }
  EXPECT_EQ(held_by("two-slots"), 2);
  EXPECT_EQ(held_by("one-slot"), 1) << "another worker's leases are not touched";
}

TEST_F(JobSchedulerTest, OnlyReadyJobsAreLeasedAndAnEmptyAnswerComesAtOnce) {
  Submit(MakeSpec());
  std::set<std::string> leased;
  while (std::optional<v1::Lease> lease = Lease()) {
    EXPECT_TRUE(leased.insert(lease->job().key()).second) << "leased twice: " << lease->job().key();
  }
  // The 3 generate jobs and the 3 baselines; the augmented jobs wait for their generate job.
  std::set<std::string> expected(keys_.generate.begin(), keys_.generate.end());
  expected.insert(keys_.baseline.begin(), keys_.baseline.end());
  EXPECT_EQ(leased, expected);

  v1::LeaseJobRequest request;
  request.set_worker_id("worker-b");
  *request.mutable_capabilities() = CpuCaps();
  request.set_wait_ms(0);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<v1::LeaseJobResponse> response = LeaseJob(request);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->has_lease());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));

  // A short long-poll also comes back empty, after about its wait.
  request.set_wait_ms(50);
  response = LeaseJob(request);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->has_lease());
}

TEST_F(JobSchedulerTest, JobsGoOnlyToCapableWorkers) {
  v1::SweepSpec spec = MakeSpec();
  spec.mutable_generate_resources()->set_device("cuda");
  spec.mutable_generate_resources()->set_min_memory_mb(16000);
  Submit(spec);

  // A CPU worker gets the baselines but never a generate job that needs CUDA.
  std::set<std::string> cpu_leases;
  while (std::optional<v1::Lease> lease = Lease()) cpu_leases.insert(lease->job().key());
  EXPECT_EQ(cpu_leases, std::set<std::string>(keys_.baseline.begin(), keys_.baseline.end()));
  for (const auto& k : keys_.generate) EXPECT_EQ(StateOf(k), v1::READY);

  v1::WorkerCapabilities gpu = CpuCaps();
  gpu.set_device("cuda");
  gpu.set_free_memory_mb(8000);
  EXPECT_FALSE(Lease(gpu, "gpu-small").has_value()) << "too little free memory";

  gpu.set_free_memory_mb(24000);
  v1::WorkerCapabilities no_eda = gpu;
  no_eda.clear_executor_kinds();
  no_eda.add_executor_kinds("llama");
  no_eda.add_executor_kinds("tfidf-logreg");
  EXPECT_FALSE(Lease(no_eda, "gpu-no-eda").has_value()) << "no eda executor";

  v1::WorkerCapabilities train_only = gpu;
  train_only.clear_job_kinds();
  train_only.add_job_kinds(v1::TRAIN_EVAL);
  EXPECT_FALSE(Lease(train_only, "gpu-train-only").has_value()) << "does not run GENERATE jobs";

  std::optional<v1::Lease> lease = Lease(gpu, "gpu-big");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().key(), keys_.generate[0]);
}

TEST_F(JobSchedulerTest, WorkerWithoutTheClassifierKindGetsNoTrainJob) {
  Submit(MakeSpec());
  v1::WorkerCapabilities caps = CpuCaps();
  caps.clear_executor_kinds();
  caps.add_executor_kinds("roberta");
  EXPECT_FALSE(Lease(caps).has_value());
  caps.add_executor_kinds("eda");
  std::optional<v1::Lease> lease = Lease(caps);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().kind(), v1::GENERATE);
}

// ---------------------------------------------------------------------------------------------
// CompleteJob

TEST_F(JobSchedulerTest, CompletionMakesDependentsReadyAndStoresTheResult) {
  Submit(MakeSpec());
  v1::Lease gen = LeaseKey(keys_.generate[1]);
  ASSERT_TRUE(CompleteOk(GenerateResult(gen.job().key(), gen.attempt())));
  EXPECT_EQ(StateOf(keys_.generate[1]), v1::SUCCEEDED);
  EXPECT_EQ(Stored(keys_.generate[1]).completed_attempt(), 1);
  EXPECT_EQ(StateOf(keys_.augmented[1]), v1::READY);
  EXPECT_EQ(StateOf(keys_.augmented[0]), v1::WAITING);  // depends on another fold's generation
  EXPECT_EQ(StateOf(keys_.augmented[2]), v1::WAITING);
  StatusOr<std::optional<std::string>> stored = store_->Get(Family::kResults, keys_.generate[1]);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  v1::JobResult result;
  ASSERT_TRUE(result.ParseFromString(**stored));
  EXPECT_EQ(result.generate().synthetic_artifact(), "x");

  v1::Lease train = LeaseKey(keys_.augmented[1]);
  EXPECT_EQ(train.job().train_eval().generate_job(), keys_.generate[1]);
  ASSERT_TRUE(CompleteOk(TrainResult(train.job().key(), train.attempt(), 0.8)));
  EXPECT_EQ(StateOf(keys_.augmented[1]), v1::SUCCEEDED);
}

TEST_F(JobSchedulerTest, AFilterJobRunsBetweenGenerationAndTrainingOnCapableWorkers) {
  v1::SweepSpec spec = MakeSpec();
  v1::FilterSpec* filter = spec.add_filters();
  filter->set_name("checked");
  *filter->mutable_label_consistency()->mutable_classifier() = spec.classifiers(0);
  filter->mutable_label_consistency()->set_threshold(0.5);
  filter->mutable_label_consistency()->set_action("drop");
  const std::string sweep_id = Submit(spec).sweep_id;
  ASSERT_EQ(keys_.filter.size(), static_cast<size_t>(kFolds));
  v1::SweepStatus status = StatusOf(sweep_id);
  EXPECT_EQ(Stage(status, "filter").waiting(), kFolds);
  ASSERT_EQ(status.stages_size(), 3);
  EXPECT_EQ(status.stages(1).stage(), "filter");

  v1::Lease gen = LeaseKey(keys_.generate[0]);
  ASSERT_TRUE(CompleteOk(GenerateResult(gen.job().key(), gen.attempt())));
  const std::string& filter_key = keys_.filter[0];
  EXPECT_EQ(StateOf(filter_key), v1::READY);
  for (const std::string& train : keys_.augmented) {
    if (keys_.fold[train] == 0) {
      EXPECT_EQ(keys_.dep[train], filter_key);
      EXPECT_EQ(StateOf(train), v1::WAITING);
    }
  }
  // Only a worker that runs FILTER jobs and has the label check's classifier kind gets it.
  v1::WorkerCapabilities old_worker = CpuCaps();  // declares no FILTER stage
  std::set<std::string> offered;
  while (std::optional<v1::Lease> lease = Lease(old_worker, "old"))
    offered.insert(lease->job().key());
  EXPECT_FALSE(offered.count(filter_key));
  v1::WorkerCapabilities no_classifier = CpuCaps();
  no_classifier.add_job_kinds(v1::FILTER);
  no_classifier.clear_executor_kinds();
  no_classifier.add_executor_kinds("eda");
  while (std::optional<v1::Lease> lease = Lease(no_classifier, "eda-only"))
    EXPECT_NE(lease->job().key(), filter_key);
  v1::WorkerCapabilities filtering = CpuCaps();
  filtering.add_job_kinds(v1::FILTER);
  std::optional<v1::Lease> lease = Lease(filtering, "filtering");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().key(), filter_key);
  EXPECT_EQ(lease->job().filter().generate_job(), keys_.generate[0]);

  // A generate result does not complete a filter job; a filter result does.
  EXPECT_EQ(Complete(GenerateResult(filter_key, lease->attempt()), "filtering").status().code(),
            StatusCode::kInvalidArgument);
  v1::JobResult result;
  result.set_job_key(filter_key);
  result.set_attempt(lease->attempt());
  result.mutable_filter()->set_synthetic_artifact("synthetic-" + filter_key);
  ASSERT_TRUE(CompleteOk(result, "filtering"));
  for (const std::string& train : keys_.augmented) {
    if (keys_.fold[train] == 0) {
      EXPECT_EQ(StateOf(train), v1::READY);
    }
  }
  EXPECT_EQ(Stage(StatusOf(sweep_id), "filter").succeeded(), 1);
}

TEST_F(JobSchedulerTest, OnlyTheFirstCompletionCounts) {
  Submit(MakeSpec());
  v1::Lease first = LeaseKey(keys_.baseline[0]);
  Release(first);
  v1::Lease second = LeaseKey(keys_.baseline[0]);
  ASSERT_EQ(second.attempt(), 2);

  ASSERT_TRUE(CompleteOk(TrainResult(keys_.baseline[0], 2, 0.9)));
  // The same attempt again, and the earlier attempt: both ignored, the first result stays.
  StatusOr<v1::CompleteJobResponse> again = Complete(TrainResult(keys_.baseline[0], 2, 0.1));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->accepted());
  StatusOr<v1::CompleteJobResponse> older =
      Complete(TrainResult(keys_.baseline[0], 1, 0.2), "worker-b");
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE(older->accepted());

  EXPECT_EQ(Stored(keys_.baseline[0]).completed_attempt(), 2);
  StatusOr<std::optional<std::string>> stored = store_->Get(Family::kResults, keys_.baseline[0]);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  v1::JobResult result;
  ASSERT_TRUE(result.ParseFromString(**stored));
  EXPECT_EQ(result.attempt(), 2);
  EXPECT_DOUBLE_EQ(result.train_eval().macro_auc(), 0.9);
}

TEST_F(JobSchedulerTest, AnEarlierAttemptMayCompleteWhileALaterOneRuns) {
  Submit(MakeSpec());
  v1::Lease first = LeaseKey(keys_.generate[0]);
  now_ += kLeaseMs;  // attempt 1 expires; attempt 2 goes to another worker
  v1::Lease second = LeaseKey(keys_.generate[0], "worker-b");
  ASSERT_EQ(second.attempt(), 2);
  // Attempt 1 finishes late: its result is as good as any, and attempt 2 is told to stop.
  ASSERT_TRUE(CompleteOk(GenerateResult(keys_.generate[0], 1)));
  EXPECT_EQ(StateOf(keys_.generate[0]), v1::SUCCEEDED);
  EXPECT_EQ(StateOf(keys_.augmented[0]), v1::READY);
  EXPECT_TRUE(Heartbeat(keys_.generate[0], 2, "worker-b").cancelled());
  StatusOr<v1::CompleteJobResponse> late =
      Complete(GenerateResult(keys_.generate[0], 2), "worker-b");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->accepted());
}

TEST_F(JobSchedulerTest, AResultOfTheWrongKindIsRejected) {
  Submit(MakeSpec());
  v1::Lease gen = LeaseKey(keys_.generate[0]);
  StatusOr<v1::CompleteJobResponse> wrong =
      Complete(TrainResult(gen.job().key(), gen.attempt(), 0.5));
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("GENERATE"));
  v1::JobResult empty;
  empty.set_job_key(gen.job().key());
  empty.set_attempt(gen.attempt());
  EXPECT_EQ(Complete(empty).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StateOf(gen.job().key()), v1::LEASED);

  v1::Lease base = LeaseKey(keys_.baseline[0]);
  EXPECT_EQ(Complete(GenerateResult(base.job().key(), base.attempt())).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StateOf(base.job().key()), v1::LEASED);
  EXPECT_EQ(Complete(GenerateResult("gen-unknown", 1)).status().code(), StatusCode::kNotFound);
}

TEST_F(JobSchedulerTest, CompletionOfAnAttemptNeverIssuedIsIgnored) {
  Submit(MakeSpec());
  // Not leased at all yet.
  StatusOr<v1::CompleteJobResponse> early = Complete(GenerateResult(keys_.generate[0], 1));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->accepted());
  EXPECT_EQ(StateOf(keys_.generate[0]), v1::READY);

  v1::Lease gen = LeaseKey(keys_.generate[0]);
  for (int attempt : {0, -1, 2, 7}) {
    StatusOr<v1::CompleteJobResponse> r = Complete(GenerateResult(gen.job().key(), attempt));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->accepted()) << "attempt " << attempt;
  }
  EXPECT_EQ(StateOf(gen.job().key()), v1::LEASED);
  EXPECT_FALSE(store_->Get(Family::kResults, gen.job().key())->has_value());
  EXPECT_TRUE(CompleteOk(GenerateResult(gen.job().key(), 1)));
}

// ---------------------------------------------------------------------------------------------
// Lease expiry, retries, FAILED and BLOCKED

TEST_F(JobSchedulerTest, ExpiredLeasesAreRetriedThenFailedWithDependentsBlocked) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const std::string gen = keys_.generate[0];
  const std::string dependent = keys_.augmented[0];
  for (int attempt = 1; attempt <= 3; ++attempt) {
    v1::Lease lease = LeaseKey(gen);
    ASSERT_EQ(lease.attempt(), attempt);
    now_ += kLeaseMs - 1;
    scheduler_->ExpireLeases();
    EXPECT_EQ(StateOf(gen), v1::LEASED) << "expired early, attempt " << attempt;
    now_ += 1;
    scheduler_->ExpireLeases();
    v1::JobRecord job = Stored(gen);
    EXPECT_EQ(job.failures(), attempt);
    EXPECT_THAT(job.last_error(), HasSubstr("lease expired"));
    if (attempt < 3) {
      EXPECT_EQ(job.state(), v1::READY) << "attempt " << attempt;
      EXPECT_EQ(StateOf(dependent), v1::WAITING);
    }
  }
  EXPECT_EQ(StateOf(gen), v1::FAILED);
  EXPECT_EQ(StateOf(dependent), v1::BLOCKED);
  EXPECT_THAT(Stored(dependent).last_error(), HasSubstr("blocked"));
  EXPECT_EQ(StatusOf(sweep).state(), v1::SWEEP_STATE_RUNNING);  // other jobs still open

  // Everything else finishes: the sweep is FAILED and says why, rather than hanging.
  EXPECT_EQ(DrainAll(), 7);
  v1::SweepStatus status = StatusOf(sweep);
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_FAILED);
  EXPECT_EQ(Stage(status, "generate").failed(), 1);
  EXPECT_EQ(Stage(status, "train_eval").blocked(), 1);
  EXPECT_EQ(Stage(status, "train_eval").succeeded(), 5);
  ASSERT_EQ(status.recent_errors_size(), 1);
  EXPECT_THAT(status.recent_errors(0), HasSubstr("lease expired"));
  EXPECT_EQ(status.eta_seconds(), 0);

  // RetryFailed: FAILED → READY (no dependency), BLOCKED → WAITING (its dependency is not done).
  StatusOr<int32_t> retried = scheduler_->RetryFailed(sweep);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(*retried, 2);
  EXPECT_EQ(StateOf(gen), v1::READY);
  EXPECT_EQ(Stored(gen).failures(), 0);
  EXPECT_EQ(StateOf(dependent), v1::WAITING);
  EXPECT_EQ(StatusOf(sweep).state(), v1::SWEEP_STATE_RUNNING);
  v1::Lease lease = LeaseKey(gen);
  EXPECT_EQ(lease.attempt(), 4);  // attempt numbers never repeat
  ASSERT_TRUE(CompleteOk(GenerateResult(gen, lease.attempt())));
  EXPECT_EQ(StateOf(dependent), v1::READY);
  EXPECT_EQ(DrainAll(), 1);
  EXPECT_EQ(StatusOf(sweep).state(), v1::SWEEP_STATE_SUCCEEDED);
  EXPECT_EQ(scheduler_->RetryFailed("sw-nope").status().code(), StatusCode::kNotFound);
}

TEST_F(JobSchedulerTest, ALateCompletionOfAFailedJobUnblocksItsDependents) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const std::string gen = keys_.generate[2];
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(LeaseKey(gen).attempt(), attempt);
    now_ += kLeaseMs;
    scheduler_->ExpireLeases();
  }
  ASSERT_EQ(StateOf(gen), v1::FAILED);
  ASSERT_EQ(StateOf(keys_.augmented[2]), v1::BLOCKED);
  // The worker of attempt 3 was only slow: its result is accepted, and what waited on it runs.
  ASSERT_TRUE(CompleteOk(GenerateResult(gen, 3)));
  EXPECT_EQ(StateOf(gen), v1::SUCCEEDED);
  EXPECT_EQ(StateOf(keys_.augmented[2]), v1::READY);
  EXPECT_EQ(DrainAll(), 8);
  EXPECT_EQ(StatusOf(sweep).state(), v1::SWEEP_STATE_SUCCEEDED);
}

TEST_F(JobSchedulerTest, ALateCompletionDoesNotRestartJobsOfACancelledSweep) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const std::string gen = keys_.generate[0];
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(LeaseKey(gen).attempt(), attempt);
    now_ += kLeaseMs;
    scheduler_->ExpireLeases();
  }
  ASSERT_EQ(StateOf(keys_.augmented[0]), v1::BLOCKED);
  ASSERT_TRUE(scheduler_->CancelSweep(sweep).ok());
  ASSERT_TRUE(CompleteOk(GenerateResult(gen, 3)));
  EXPECT_EQ(StateOf(gen), v1::SUCCEEDED);
  EXPECT_EQ(StateOf(keys_.augmented[0]), v1::BLOCKED) << "nobody wants it any more";
  EXPECT_FALSE(Lease().has_value());
}

TEST_F(JobSchedulerTest, HeartbeatExtendsTheLeaseAndReportsLostLeases) {
  Submit(MakeSpec());
  const std::string key = keys_.generate[0];
  v1::Lease lease = LeaseKey(key);
  now_ += kLeaseMs - 100;
  v1::HeartbeatResponse beat = Heartbeat(key, lease.attempt());
  EXPECT_FALSE(beat.cancelled());
  EXPECT_EQ(beat.expires_unix_ms(), now_ + kLeaseMs);
  now_ += kLeaseMs - 100;  // past the first lease's end, inside the extension
  scheduler_->ExpireLeases();
  EXPECT_EQ(StateOf(key), v1::LEASED);
  EXPECT_FALSE(Heartbeat(key, lease.attempt()).cancelled());

  // Another worker, an attempt that was not issued, an unknown job: stop.
  EXPECT_TRUE(Heartbeat(key, lease.attempt(), "worker-b").cancelled());
  EXPECT_TRUE(Heartbeat(key, lease.attempt() + 1).cancelled());
  EXPECT_TRUE(Heartbeat("gen-unknown", 1).cancelled());
  EXPECT_FALSE(Heartbeat(key, lease.attempt()).cancelled());

  // The lease runs out without a heartbeat; the next attempt goes elsewhere, the old one stops.
  now_ += kLeaseMs;
  scheduler_->ExpireLeases();
  EXPECT_EQ(StateOf(key), v1::READY);
  v1::Lease next = LeaseKey(key, "worker-b");
  EXPECT_EQ(next.attempt(), 2);
  EXPECT_TRUE(Heartbeat(key, 1).cancelled());
  EXPECT_TRUE(Heartbeat(key, 2).cancelled()) << "attempt 2 belongs to worker-b";
  EXPECT_FALSE(Heartbeat(key, 2, "worker-b").cancelled());
}

TEST_F(JobSchedulerTest, TheEtaUsesMeanDurationsAndTheProgressHeartbeatsReport) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  // A generate job that took 10 s and a baseline that took 20 s: both stages have a mean.
  v1::Lease gen = LeaseKey(keys_.generate[0]);
  now_ += 10'000;
  ASSERT_TRUE(CompleteOk(GenerateResult(gen.job().key(), gen.attempt())));
  v1::Lease base = LeaseKey(keys_.baseline[0]);
  now_ += 20'000;
  ASSERT_TRUE(CompleteOk(TrainResult(base.job().key(), base.attempt(), 0.7)));
  // Open: 2 generate jobs × 10 s + 5 train/eval jobs × 20 s, one active worker.
  EXPECT_EQ(StatusOf(sweep).eta_seconds(), 120);
  // A leased generate job that reports half its work done has 5 s left.
  v1::Lease running = LeaseKey(keys_.generate[1]);
  ASSERT_FALSE(Heartbeat(running.job().key(), running.attempt()).cancelled());  // progress 0.5
  EXPECT_EQ(StatusOf(sweep).eta_seconds(), 115);
  // Given back, its progress is forgotten.
  Release(running);
  EXPECT_EQ(StatusOf(sweep).eta_seconds(), 120);
}

TEST_F(JobSchedulerTest, HeartbeatsDoNotKeepAJobPastItsTimeLimit) {
  v1::SweepSpec spec = MakeSpec();
  spec.mutable_generate_resources()->set_time_limit_s(5);
  Submit(spec);
  const std::string key = keys_.generate[0];
  v1::Lease lease = LeaseKey(key);
  for (int i = 0; i < 4; ++i) {
    now_ += 1'000;
    EXPECT_FALSE(Heartbeat(key, lease.attempt()).cancelled()) << "inside the limit";
  }
  now_ += 1'500;  // 5.5 s after the lease began
  EXPECT_TRUE(Heartbeat(key, lease.attempt()).cancelled());
  const v1::JobRecord record = Stored(key);
  EXPECT_EQ(record.state(), v1::READY) << "a retryable failure";
  EXPECT_EQ(record.failures(), 1);
  EXPECT_NE(record.last_error().find("time limit of 5 s"), std::string::npos)
      << record.last_error();
}

TEST_F(JobSchedulerTest, HeartbeatOfACancelledSweepSaysCancelled) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  v1::Lease lease = LeaseKey(keys_.baseline[1]);
  EXPECT_FALSE(Heartbeat(lease.job().key(), lease.attempt()).cancelled());
  ASSERT_TRUE(scheduler_->CancelSweep(sweep).ok());
  EXPECT_TRUE(Heartbeat(lease.job().key(), lease.attempt()).cancelled());
  // Its result, should it still arrive, is not taken.
  StatusOr<v1::CompleteJobResponse> r =
      Complete(TrainResult(lease.job().key(), lease.attempt(), 0.9));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->accepted());
  EXPECT_EQ(StateOf(lease.job().key()), v1::CANCELLED);
}

TEST_F(JobSchedulerTest, GiveBackLeaseFailJobRetryableAndFatal) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const std::string gen = keys_.generate[0];

  // Given back (SIGTERM): READY again, no failure counted.
  v1::Lease lease = LeaseKey(gen);
  StatusOr<v1::FailJobResponse> r = Fail(lease, /*retryable=*/false, /*given_back=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(StateOf(gen), v1::READY);
  EXPECT_EQ(Stored(gen).failures(), 0);
  EXPECT_EQ(Stored(gen).worker_id(), "");

  // A retryable error: READY, one failure.
  lease = LeaseKey(gen);
  r = Fail(lease, /*retryable=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->will_retry());
  EXPECT_EQ(StateOf(gen), v1::READY);
  EXPECT_EQ(Stored(gen).failures(), 1);
  EXPECT_EQ(Stored(gen).last_error(), "boom");

  // A stale report (the lease is gone, or another attempt's, or another worker's): ignored.
  r = Fail(lease, /*retryable=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->will_retry());
  EXPECT_EQ(StateOf(gen), v1::READY);
  lease = LeaseKey(gen);
  ASSERT_EQ(lease.attempt(), 3);
  ASSERT_TRUE(Fail(lease, false, false, kWorker, /*attempt=*/2).ok());
  ASSERT_TRUE(Fail(lease, false, false, "worker-b").ok());
  EXPECT_EQ(StateOf(gen), v1::LEASED);
  EXPECT_EQ(Stored(gen).failures(), 1);

  // Non-retryable: FAILED at once, its dependent BLOCKED.
  r = Fail(lease, /*retryable=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->will_retry());
  EXPECT_EQ(StateOf(gen), v1::FAILED);
  EXPECT_EQ(Stored(gen).failures(), 2);
  EXPECT_EQ(StateOf(keys_.augmented[0]), v1::BLOCKED);
  EXPECT_EQ(StateOf(keys_.augmented[1]), v1::WAITING);
  EXPECT_THAT(StatusOf(sweep).recent_errors(), ::testing::ElementsAre(HasSubstr("boom")));

  v1::FailJobRequest unknown;
  unknown.set_job_key("gen-unknown");
  EXPECT_EQ(scheduler_->FailJob(FromProto(unknown)).status().code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// CancelSweep

TEST_F(JobSchedulerTest, CancelKeepsJobsAnotherLiveSweepShares) {
  const std::string a = Submit(MakeSpec()).sweep_id;
  const PlanKeys keys_a = keys_;
  // Sweep B: same generations, a different classifier setting, so only the generate jobs are
  // shared.
  v1::SweepSpec spec_b = MakeSpec();
  spec_b.mutable_classifiers(0)->set_epochs(20);
  const std::string b = Submit(spec_b).sweep_id;
  const PlanKeys keys_b = keys_;
  ASSERT_EQ(keys_b.generate, keys_a.generate);
  ASSERT_NE(keys_b.baseline, keys_a.baseline);

  // One of A's own jobs is running: cancelling stops it too.
  v1::Lease running = LeaseKey(keys_a.baseline[0]);
  StatusOr<int32_t> cancelled = scheduler_->CancelSweep(a);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(*cancelled, 6);  // A's 3 baselines and 3 augmented jobs
  for (const auto& k : keys_a.baseline) EXPECT_EQ(StateOf(k), v1::CANCELLED);
  for (const auto& k : keys_a.augmented) EXPECT_EQ(StateOf(k), v1::CANCELLED);
  for (const auto& k : keys_a.generate) EXPECT_EQ(StateOf(k), v1::READY) << "B still needs it";
  for (const auto& k : keys_b.baseline) EXPECT_EQ(StateOf(k), v1::READY);
  EXPECT_TRUE(Heartbeat(running.job().key(), running.attempt()).cancelled());
  EXPECT_EQ(StatusOf(a).state(), v1::SWEEP_STATE_CANCELLED);
  EXPECT_EQ(StatusOf(b).state(), v1::SWEEP_STATE_RUNNING);  // its generate jobs were offered
  EXPECT_EQ(scheduler_->RetryFailed(a).status().code(), StatusCode::kFailedPrecondition);

  // Nothing of A is offered any more.
  std::set<std::string> offered;
  while (std::optional<v1::Lease> lease = Lease()) offered.insert(lease->job().key());
  for (const auto& k : keys_a.baseline) EXPECT_EQ(offered.count(k), 0u);

  // Cancelling B too: now nobody needs the generate jobs.
  cancelled = scheduler_->CancelSweep(b);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(*cancelled, 9);
  for (const auto& k : keys_a.generate) EXPECT_EQ(StateOf(k), v1::CANCELLED);
  EXPECT_EQ(StatusOf(b).state(), v1::SWEEP_STATE_CANCELLED);
  EXPECT_EQ(scheduler_->CancelSweep("sw-nope").status().code(), StatusCode::kNotFound);

  // A resubmission starts the cancelled jobs afresh.
  SubmitOutcome again = Submit(MakeSpec());
  for (const auto& k : keys_a.generate) EXPECT_EQ(StateOf(k), v1::READY);
  for (const auto& k : keys_a.augmented) EXPECT_EQ(StateOf(k), v1::WAITING);
  EXPECT_EQ(StatusOf(again.sweep_id).state(), v1::SWEEP_STATE_RUNNING);  // attempts were made
}

// ---------------------------------------------------------------------------------------------
// Restart

TEST_F(JobSchedulerTest, RestartResumesEveryJobLeaseAndResult) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const PlanKeys keys = keys_;
  // gen0 and baseline0 done, gen1 leased (its worker keeps running), gen2 failed once.
  v1::Lease gen0 = LeaseKey(keys.generate[0]);
  ASSERT_TRUE(CompleteOk(GenerateResult(keys.generate[0], gen0.attempt())));
  v1::Lease base0 = LeaseKey(keys.baseline[0]);
  ASSERT_TRUE(CompleteOk(TrainResult(keys.baseline[0], base0.attempt(), 0.625)));
  v1::Lease gen2 = LeaseKey(keys.generate[2]);
  ASSERT_TRUE(Fail(gen2, /*retryable=*/true).ok());
  v1::Lease gen1 = LeaseKey(keys.generate[1]);
  const v1::SweepStatus before = StatusOf(sweep);
  std::map<std::string, v1::JobRecord> records;
  for (const auto& [key, fold] : keys.fold) records[key] = Stored(key);

  now_ += kLeaseMs / 2;
  Restart();
  const int64_t reloaded = now_;

  // Every job and the sweep are back as they were.
  ASSERT_EQ(scheduler_->ListSweeps().size(), 1u);
  v1::SweepStatus after = StatusOf(sweep);
  EXPECT_EQ(after.state(), v1::SWEEP_STATE_RUNNING);
  ASSERT_EQ(after.stages_size(), before.stages_size());
  for (int i = 0; i < after.stages_size(); ++i) {
    EXPECT_EQ(after.stages(i).SerializeAsString(), before.stages(i).SerializeAsString()) << i;
  }
  for (const auto& [key, record] : records) {
    v1::JobRecord now = Stored(key);
    EXPECT_EQ(now.state(), record.state()) << key;
    EXPECT_EQ(now.attempts(), record.attempts()) << key;
    EXPECT_EQ(now.failures(), record.failures()) << key;
  }
  EXPECT_EQ(StateOf(keys.generate[1]), v1::LEASED);
  EXPECT_EQ(StateOf(keys.augmented[0]), v1::READY);

  // Results acknowledged before the restart are there.
  StatusOr<v1::GetResultsResponse> results = Results(sweep);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_GE(results->rows_size(), 1);
  EXPECT_EQ(results->rows(0).generator(), "");
  EXPECT_EQ(results->rows(0).folds(), 1);
  ASSERT_EQ(results->rows(0).fold_aucs_size(), 1);
  EXPECT_DOUBLE_EQ(results->rows(0).fold_aucs(0), 0.625);

  // The worker that held gen1 can still heartbeat in; past its original end the lease holds.
  now_ = reloaded + kLeaseMs - 1;
  EXPECT_FALSE(Heartbeat(keys.generate[1], gen1.attempt()).cancelled());
  scheduler_->ExpireLeases();
  EXPECT_EQ(StateOf(keys.generate[1]), v1::LEASED);
  // The next free job in plan order is gen2 (its attempt count survived), not gen1.
  std::optional<v1::Lease> lease = Lease();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().key(), keys.generate[2]);
  EXPECT_GE(records[keys.generate[2]].attempts(), 2);
  EXPECT_EQ(lease->attempt(), records[keys.generate[2]].attempts() + 1);
  Release(*lease);
}

TEST_F(JobSchedulerTest, ALeaseHeldAtRestartIsOfferedAgainOneLeaseLengthAfterTheReload) {
  Submit(MakeSpec());
  const PlanKeys keys = keys_;
  v1::Lease gen0 = LeaseKey(keys.generate[0]);
  ASSERT_EQ(gen0.attempt(), 1);
  now_ += kLeaseMs / 2;
  Restart();
  const int64_t reloaded = now_;

  now_ = reloaded + kLeaseMs - 1;
  std::optional<v1::Lease> lease = Lease();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().key(), keys.generate[1]) << "gen0 is still leased";
  Release(*lease);

  now_ = reloaded + kLeaseMs;
  lease = Lease();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job().key(), keys.generate[0]);
  EXPECT_EQ(lease->attempt(), 2);
  EXPECT_EQ(Stored(keys.generate[0]).failures(), 1);  // the expired lease counts as a failure
  // Completing it after the restart releases its dependent (the dependency map was rebuilt).
  ASSERT_TRUE(CompleteOk(GenerateResult(keys.generate[0], 2)));
  EXPECT_EQ(StateOf(keys.augmented[0]), v1::READY);
}

// ---------------------------------------------------------------------------------------------
// Results

TEST_F(JobSchedulerTest, ResultsCompareEveryRowWithItsBaseline) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const PlanKeys keys = keys_;
  std::map<std::string, double> auc;
  const double base_aucs[] = {0.6, 0.7, 0.8};
  const double aug_aucs[] = {0.75, 0.8, 0.85};
  for (int f = 0; f < kFolds; ++f) {
    auc[keys.baseline[f]] = base_aucs[f];
    auc[keys.augmented[f]] = aug_aucs[f];
  }

  StatusOr<v1::GetResultsResponse> empty = Results(sweep);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->complete());
  ASSERT_EQ(empty->rows_size(), 2);
  EXPECT_EQ(empty->rows(0).folds(), 0);
  EXPECT_EQ(empty->rows(1).folds(), 0);

  // Fold 0 only: one fold per row, not complete yet.
  v1::Lease gen0 = LeaseKey(keys.generate[0]);
  ASSERT_TRUE(CompleteOk(GenerateResult(keys.generate[0], gen0.attempt())));
  for (const std::string& k : {keys.baseline[0], keys.augmented[0]}) {
    v1::Lease l = LeaseKey(k);
    ASSERT_TRUE(CompleteOk(TrainResult(k, l.attempt(), auc[k])));
  }
  StatusOr<v1::GetResultsResponse> partial = Results(sweep);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->complete());
  ASSERT_EQ(partial->rows_size(), 2);
  EXPECT_EQ(partial->rows(0).folds(), 1);
  EXPECT_EQ(partial->rows(1).folds(), 1);
  EXPECT_NEAR(partial->rows(1).delta_vs_baseline(), 0.75 - 0.6, 1e-12);

  EXPECT_EQ(DrainAll([&](const std::string& k) { return auc.at(k); }), 6);
  StatusOr<v1::GetResultsResponse> results = Results(sweep);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->sweep_id(), sweep);
  EXPECT_TRUE(results->complete());
  ASSERT_EQ(results->rows_size(), 2);
  const v1::ResultRow& base = results->rows(0);
  EXPECT_EQ(base.classifier(), "tfidf");
  EXPECT_EQ(base.generator(), "");
  EXPECT_EQ(base.augment_count(), 0);
  EXPECT_EQ(base.folds(), 3);
  EXPECT_THAT(base.fold_aucs(), UnorderedElementsAre(0.6, 0.7, 0.8));
  EXPECT_NEAR(base.mean_auc(), 0.7, 1e-12);
  EXPECT_NEAR(base.sd_auc(), 0.1, 1e-12);
  EXPECT_LT(base.ci95_low(), 0.7);
  EXPECT_GT(base.ci95_high(), 0.7);
  EXPECT_DOUBLE_EQ(base.delta_vs_baseline(), 0.0);
  const v1::ResultRow& aug = results->rows(1);
  EXPECT_EQ(aug.classifier(), "tfidf");
  EXPECT_EQ(aug.generator(), "eda");
  EXPECT_DOUBLE_EQ(aug.temperature(), 0.7);
  EXPECT_EQ(aug.augment_count(), 5);
  EXPECT_EQ(aug.folds(), 3);
  EXPECT_NEAR(aug.mean_auc(), 0.8, 1e-12);
  EXPECT_NEAR(aug.delta_vs_baseline(), aug.mean_auc() - base.mean_auc(), 1e-12);
  EXPECT_NEAR(aug.delta_vs_baseline(), 0.1, 1e-12);
  EXPECT_EQ(Results("sw-nope").status().code(), StatusCode::kNotFound);
}

TEST_F(JobSchedulerTest, ATemperatureFreeGeneratorFillsARowPerTemperature) {
  const std::string sweep = Submit(MakeSpec({0.7, 1.0})).sweep_id;
  // eda ignores temperature: one generate job and one augmented job per fold serve both.
  EXPECT_EQ(keys_.generate.size(), 3u);
  EXPECT_EQ(keys_.augmented.size(), 3u);
  std::map<std::string, double> auc;
  for (int f = 0; f < kFolds; ++f) {
    auc[keys_.baseline[f]] = 0.5 + 0.1 * f;
    auc[keys_.augmented[f]] = 0.7 + 0.05 * f;
  }
  EXPECT_EQ(DrainAll([&](const std::string& k) { return auc.at(k); }), 9);
  StatusOr<v1::GetResultsResponse> results = Results(sweep);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(results->complete());
  ASSERT_EQ(results->rows_size(), 3);
  EXPECT_EQ(results->rows(0).generator(), "");
  EXPECT_NEAR(results->rows(0).mean_auc(), 0.6, 1e-12);
  std::set<double> temperatures;
  for (int i = 1; i < 3; ++i) {
    const v1::ResultRow& row = results->rows(i);
    EXPECT_EQ(row.generator(), "eda");
    EXPECT_EQ(row.augment_count(), 5);
    EXPECT_EQ(row.folds(), 3);
    EXPECT_NEAR(row.mean_auc(), 0.75, 1e-12);
    EXPECT_NEAR(row.delta_vs_baseline(), 0.15, 1e-12);
    temperatures.insert(row.temperature());
  }
  EXPECT_EQ(temperatures, (std::set<double>{0.7, 1.0}));
}

TEST_F(JobSchedulerTest, AnUndefinedFoldAucIsDroppedButTheResultsAreComplete) {
  const std::string sweep = Submit(MakeSpec()).sweep_id;
  const std::string undefined = keys_.augmented[1];
  // Every job finishes; on one fold the augmented job's macro AUC is undefined (no theme had
  // both a positive and a negative). That fold is dropped from its row, and nothing is missing.
  EXPECT_EQ(DrainAll([&](const std::string& k) -> std::optional<double> {
              if (k == undefined) return std::nullopt;
              return 0.8;
            }),
            9);
  EXPECT_EQ(StatusOf(sweep).state(), v1::SWEEP_STATE_SUCCEEDED);
  StatusOr<v1::GetResultsResponse> results = Results(sweep);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE(results->complete()) << "every job has finished";
  ASSERT_EQ(results->rows_size(), 2);
  EXPECT_EQ(results->rows(0).folds(), 3);
  EXPECT_EQ(results->rows(1).folds(), 2);
}

// ---------------------------------------------------------------------------------------------
// The event log (coordinator/service/event_log.h)

TEST_F(JobSchedulerTest, EveryTransitionLeavesAnEventOfItsSweeps) {
  const std::string a = Submit(MakeSpec()).sweep_id;
  v1::Lease gen = LeaseKey(keys_.generate[0]);
  ASSERT_TRUE(CompleteOk(GenerateResult(gen.job().key(), gen.attempt())));
  v1::Lease base = LeaseKey(keys_.baseline[0]);
  ASSERT_TRUE(Fail(base, /*retryable=*/true).ok());
  now_ += 10;
  const std::string b = Submit(MakeSpec({0.9})).sweep_id;  // shares the eda and baseline jobs
  ASSERT_TRUE(scheduler_->CancelSweep(b).ok());

  auto texts = [&](const std::string& sweep, uint64_t after = 0, int limit = 0) {
    v1::ListEventsRequest request;
    request.set_sweep_id(sweep);
    request.set_after_sequence(after);
    request.set_limit(limit);
    StatusOr<v1::ListEventsResponse> events = ReadEvents(*store_, request);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<std::string> out;
    if (events.ok()) {
      for (const v1::Event& e : events->events()) out.push_back(e.text());
    }
    return out;
  };
  // LeaseKey leases and gives back the jobs before the one it wants: every step is there.
  const std::vector<std::string> of_a = texts(a);
  ASSERT_GE(of_a.size(), 6u);
  EXPECT_THAT(of_a.front(), HasSubstr("sweep " + a + " submitted: 9 jobs"));
  EXPECT_THAT(of_a, ::testing::Contains(HasSubstr(" succeeded, attempt 1 on worker-a")));
  EXPECT_THAT(of_a, ::testing::Contains(HasSubstr(" failed on worker-a: boom")));
  EXPECT_THAT(of_a, ::testing::Contains(HasSubstr(" given back by worker-a")));
  EXPECT_THAT(of_a, ::testing::Not(::testing::Contains(HasSubstr("sweep " + b))));
  // Sweep b sees its own submission and cancellation, not a's history of the shared jobs
  // (those events were written before b shared them).
  const std::vector<std::string> of_b = texts(b);
  ASSERT_EQ(of_b.size(), 2u);
  EXPECT_THAT(of_b[1], HasSubstr("sweep " + b + " cancelled"));
  // Everything, in commit order; --after and --limit page through it.
  const std::vector<std::string> all = texts("");
  EXPECT_EQ(all.size(), of_a.size() + of_b.size());
  EXPECT_EQ(texts("", 1, 2), std::vector<std::string>(all.begin() + 1, all.begin() + 3));
  // Only a listing the limit cut says there is more, whatever the sweep filter leaves out.
  v1::ListEventsRequest page;
  page.set_limit(2);
  EXPECT_TRUE(ReadEvents(*store_, page)->truncated());
  page.set_limit(0);
  EXPECT_FALSE(ReadEvents(*store_, page)->truncated());
  page.set_sweep_id(a);
  EXPECT_FALSE(ReadEvents(*store_, page)->truncated());
  v1::ListEventsRequest negative;
  negative.set_limit(-1);
  EXPECT_EQ(ReadEvents(*store_, negative).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(JobSchedulerTest, EventsOfAnOlderStoreStillRead) {
  WriteSet legacy;
  legacy.AppendEvent("1700000000123 sweep sw-old submitted: 3 jobs, 0 already done");
  ASSERT_TRUE(store_->Commit(legacy).ok());
  StatusOr<v1::ListEventsResponse> events = ReadEvents(*store_, v1::ListEventsRequest());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->events_size(), 1);
  EXPECT_EQ(events->events(0).unix_ms(), 1700000000123);
  EXPECT_EQ(events->events(0).text(), "sweep sw-old submitted: 3 jobs, 0 already done");
  EXPECT_EQ(events->last_sequence(), 1u);
  // A damaged legacy line is reported, not thrown.
  WriteSet damaged;
  damaged.AppendEvent("99999999999999999999999 overflowing time");
  ASSERT_TRUE(store_->Commit(damaged).ok());
  EXPECT_EQ(ReadEvents(*store_, v1::ListEventsRequest()).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace augsweep
