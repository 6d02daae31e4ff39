// The worker's job loop: register, lease a job the executors can run, heartbeat from a separate
// thread while it runs, report the outcome; repeat until Stop().
//
// Stop() is what SIGTERM (Slurm's warning before a time limit or preemption) turns into: the
// worker takes no new job and gives its current lease back at once (FailJob with released=true,
// which is not counted as a failure), without waiting for the executor to notice.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/mutex.h"
#include "common/status.h"
#include "common/tunables.h"
#include "security/credentials.h"
#include "worker/coordinator_client.h"
#include "worker/executors/executor_registry.h"
#include "worker/job_runner.h"

namespace augsweep {

struct WorkerOptions {
  std::string coordinator;      // host:port
  DialCredentials credentials;  // token, TLS (security/credentials.h)
  std::string device = "cpu";   // "cpu" or "cuda"
  int64_t free_memory_mb = 0;   // 0: measured at each lease (cuda: the GPU's free memory)
  std::string hostname;         // empty: gethostname()
  std::string slurm_job_id;
  // Long-poll length; also how fast Run() notices Stop().
  int32_t lease_wait_ms = static_cast<int32_t>(GetTunables().lease_wait_ms);
  std::string log_prefix = "augsweep-worker";
  bool log_jobs = true;  // one line per job; failures are always logged
};

class Worker {
 public:
  // `executors` is not owned and must outlive the worker.
  Worker(WorkerOptions options, const ExecutorRegistry* executors);

  // Runs jobs until Stop(); OK then. An error when the coordinator stays unreachable, refuses
  // the worker's credentials, or may not be dialed without TLS.
  Status Run();
  // Thread-safe, returns within about a second: no new lease, the current one is given back.
  void Stop();

  const std::string& worker_id() const { return worker_id_; }

 private:
  class Control;
  struct CurrentJob {
    std::string key;
    int32_t attempt = 0;
    std::shared_ptr<Control> control;
    bool given_back = false;
  };

  Status RunOne(const v1::Lease& lease);
  v1::WorkerCapabilities Capabilities() const;
  int64_t MeasuredFreeMemoryMb() const;
  void Log(const std::string& line) const;

  const WorkerOptions options_;
  const ExecutorRegistry* const executors_;
  CoordinatorClient client_;
  JobRunner runner_;
  std::string worker_id_;
  int32_t heartbeat_interval_ms_ = 5'000;
  std::atomic<bool> stopping_{false};
  mutable std::atomic<bool> gpu_memory_error_logged_{false};
  Mutex mu_;
  std::optional<CurrentJob> current_ AUGSWEEP_GUARDED_BY(mu_);
};

}  // namespace augsweep
