// The worker's job loop against a real coordinator (in-process, gRPC over loopback): an executor
// that throws and one that runs out of memory each fail their job cleanly -- the coordinator
// records the failure with its message -- while the worker keeps serving: it runs the next job,
// then the failed ones again when they are retried, and the sweep ends SUCCEEDED. The executors
// are fakes; everything else is real.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "cli/sweep_client.h"
#include "common/read_file.h"
#include "common/spec/sweep_spec.h"
#include "coordinator/server/coordinator_server.h"
#include "rpc/rpc_options.h"
#include "tests/unit/allocate_far_too_much.h"
#include "worker/worker.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

// Scores every test text 0.5 for every theme; its first call throws, its second allocates far
// more than any machine has.
class FlakyClassifier : public ClassifierExecutor {
 public:
  StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request, JobControl&) override {
    const int call = ++calls;
    if (call == 1) throw std::runtime_error("a bug in the executor");
    if (call == 2) {
      test_support::AllocateFarTooMuch();  // std::bad_alloc
    }
    TrainOutcome out;
    out.test_probabilities.assign(request.test_texts.size(),
                                  std::vector<float>(request.themes.size(), 0.5f));
    return out;
  }
  std::atomic<int> calls{0};
};

// Generates nothing useful; this spec's only augment count is 0 (the baseline).
class UnusedGenerator : public GeneratorExecutor {
 public:
  StatusOr<v1::SyntheticSet> Generate(const GenerateRequest&, JobControl&) override {
    return v1::SyntheticSet();
  }
};

class WorkerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("augsweep-worker-loop-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(WorkerLoopTest, ThrowingAndOutOfMemoryExecutorsFailTheirJobsAndTheWorkerGoesOn) {
  const std::string yaml = std::string("name: worker-loop\n") +
                           "dataset:\n  path: " AUGSWEEP_SOURCE_DIR
                           "/examples/data/wordnet-themes.csv\n"
                           "  id_field: id\n  text_field: text\n  label_field: themes\n"
                           "cv: {folds: 3, repeats: 1, seed: 7}\n"
                           "generators:\n  - {name: eda, kind: eda}\n"
                           "temperatures: [0.7]\naugment_counts: [0]\n"
                           "classifiers:\n  - {name: tfidf, kind: tfidf-logreg}\n";
  StatusOr<ParsedSpec> spec = ParseSweepSpec(yaml, (dir_ / "spec.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  StatusOr<std::string> dataset = ReadWholeFile(spec->spec.dataset().path());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();

  CoordinatorOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = (dir_ / "data").string();
  options.log_events = false;
  options.scheduler.max_attempts = 1;
  options.scheduler.heartbeat_interval_ms = 200;
  auto server = CoordinatorServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  cli::SweepClient client((*server)->address(),
                          MakeCoordinatorChannel((*server)->address(), DialCredentials()));
  auto submitted = client.Submit(*spec, yaml, *dataset);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  const int jobs = submitted->unique_jobs();
  ASSERT_EQ(jobs, 3);  // the baseline on each of 3 folds

  ExecutorRegistry executors;
  auto classifier = std::make_unique<FlakyClassifier>();
  FlakyClassifier* flaky = classifier.get();
  executors.AddClassifier("tfidf-logreg", std::move(classifier));
  executors.AddGenerator("eda", std::make_unique<UnusedGenerator>());
  WorkerOptions worker_options;
  worker_options.coordinator = (*server)->address();
  worker_options.lease_wait_ms = 200;
  worker_options.log_jobs = false;
  Worker worker(worker_options, &executors);
  std::atomic<bool> run_returned{false};
  Status run_status;
  std::thread loop([&] {
    run_status = worker.Run();
    run_returned = true;
  });

  // Waits on progress until the sweep has finished: fails only when nothing has changed for two
  // minutes, or when the worker's loop returned.
  auto wait_until_finished = [&]() -> v1::SweepStatus {
    std::string last_seen;
    auto last_change = std::chrono::steady_clock::now();
    while (true) {
      StatusOr<v1::SweepStatus> status = client.GetStatus(submitted->sweep_id());
      EXPECT_TRUE(status.ok()) << status.status().ToString();
      if (!status.ok() || run_returned) return v1::SweepStatus();
      if (status->state() == v1::SWEEP_STATE_SUCCEEDED ||
          status->state() == v1::SWEEP_STATE_FAILED) {
        return *status;
      }
      const std::string seen = status->DebugString() + std::to_string(flaky->calls);
      if (seen != last_seen) {
        last_seen = seen;
        last_change = std::chrono::steady_clock::now();
      }
      if (std::chrono::steady_clock::now() - last_change > std::chrono::minutes(2)) {
        ADD_FAILURE() << "no progress for two minutes: " << seen;
        return v1::SweepStatus();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };

  // One attempt per job: the two failed jobs end FAILED with their errors, the third runs.
  v1::SweepStatus status = wait_until_finished();
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_FAILED) << status.DebugString();
  EXPECT_EQ(flaky->calls, 3);
  bool saw_throw = false, saw_memory = false;
  for (const std::string& error : status.recent_errors()) {
    saw_throw = saw_throw ||
                error.find("classifier tfidf-logreg: a bug in the executor") != std::string::npos;
    saw_memory =
        saw_memory || error.find("classifier tfidf-logreg: out of memory") != std::string::npos;
  }
  EXPECT_TRUE(saw_throw) << status.DebugString();
  EXPECT_TRUE(saw_memory) << status.DebugString();
  ASSERT_FALSE(run_returned) << "the worker stopped serving: " << run_status.ToString();

  // The same worker, still serving, runs them again when the user retries them.
  auto retried = client.RetryFailed(submitted->sweep_id());
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  status = wait_until_finished();
  EXPECT_EQ(status.state(), v1::SWEEP_STATE_SUCCEEDED) << status.DebugString();
  EXPECT_EQ(flaky->calls, jobs + 2);
  EXPECT_FALSE(run_returned) << "the worker stopped serving: " << run_status.ToString();

  worker.Stop();
  loop.join();
  EXPECT_TRUE(run_status.ok()) << run_status.ToString();
  (*server)->Shutdown();
}

}  // namespace
}  // namespace augsweep
