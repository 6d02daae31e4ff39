// chaos_worker: augsweep-worker's job loop with the executors of this build, each made to take a
// random extra time (0 to MAX_DELAY_MS, uniform, drawn anew for every job) before it runs. The
// chaos case of distributed_test.sh runs several and kills them at random, so kills land in
// every phase of a job. The results are the real executors' (the delay changes no output), so
// the sweep's table must equal a fault-free run's.
//
//   chaos_worker ADDRESS CREDENTIALS_DIR MAX_DELAY_MS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "security/credentials.h"
#include "security/private_files.h"
#include "worker/executors/default_executors.h"
#include "worker/worker.h"

namespace augsweep {
namespace {

// Waits a random time, leaving early if the job is cancelled.
class RandomDelay {
 public:
  explicit RandomDelay(int max_ms) : max_ms_(max_ms), rng_(std::random_device{}()) {}
  void Wait(const JobControl& control) {
    int ms;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ms = std::uniform_int_distribution<int>(0, max_ms_)(rng_);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until && !control.cancelled())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

 private:
  const int max_ms_;
  std::mutex mu_;
  std::mt19937 rng_;
};

class DelayedGenerator : public GeneratorExecutor {
 public:
  DelayedGenerator(GeneratorExecutor* inner, RandomDelay* delay) : inner_(inner), delay_(delay) {}
  StatusOr<v1::SyntheticSet> Generate(const GenerateRequest& request,
                                      JobControl& control) override {
    delay_->Wait(control);
    return inner_->Generate(request, control);
  }

 private:
  GeneratorExecutor* const inner_;
  RandomDelay* const delay_;
};

class DelayedClassifier : public ClassifierExecutor {
 public:
  DelayedClassifier(ClassifierExecutor* inner, RandomDelay* delay) : inner_(inner), delay_(delay) {}
  StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request,
                                         JobControl& control) override {
    delay_->Wait(control);
    return inner_->TrainAndPredict(request, control);
  }

 private:
  ClassifierExecutor* const inner_;
  RandomDelay* const delay_;
};

int Main(int argc, char** argv) {
  MakeNewFilesOwnerOnly();
  if (argc != 4) {
    std::fprintf(stderr, "usage: chaos_worker ADDRESS CREDENTIALS_DIR MAX_DELAY_MS\n");
    return 2;
  }
  WorkerOptions options;
  options.coordinator = argv[1];
  options.log_prefix = "chaos_worker";
  auto credentials = LoadDialCredentials(argv[2], Role::kWorker);
  if (!credentials.ok()) {
    std::fprintf(stderr, "chaos_worker: %s\n", credentials.status().ToString().c_str());
    return 1;
  }
  options.credentials = *std::move(credentials);
  auto inner = DefaultExecutors("cpu", 1);
  if (!inner.ok()) {
    std::fprintf(stderr, "chaos_worker: %s\n", inner.status().ToString().c_str());
    return 1;
  }
  RandomDelay delay(std::atoi(argv[3]));
  ExecutorRegistry delayed;
  for (const std::string& kind : (*inner)->generator_kinds())
    delayed.AddGenerator(kind,
                         std::make_unique<DelayedGenerator>((*inner)->FindGenerator(kind), &delay));
  for (const std::string& kind : (*inner)->classifier_kinds()) {
    delayed.AddClassifier(
        kind, std::make_unique<DelayedClassifier>((*inner)->FindClassifier(kind), &delay));
  }
  Worker worker(options, &delayed);
  const Status status = worker.Run();
  if (!status.ok()) {
    std::fprintf(stderr, "chaos_worker: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) { return augsweep::Main(argc, argv); }
