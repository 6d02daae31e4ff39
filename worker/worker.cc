#include "worker/worker.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include "common/exception_status.h"
#include "worker/runtime/cuda_memory.h"

namespace augsweep {
namespace {

// MemAvailable from /proc/meminfo: what a CPU job can use without swapping.
int64_t AvailableMemoryMb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb / 1024;
  }
  return 0;
}

// Calls `beat` every `interval_ms` from a thread of its own until destroyed; the destructor
// stops the thread and joins it, so no path out of a job leaves it running.
class HeartbeatThread {
 public:
  HeartbeatThread(int32_t interval_ms, std::function<void()> beat)
      : thread_([this, interval_ms, beat = std::move(beat)] {
          MutexLock lock(&mu_);
          auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms);
          while (!done_) {
            if (std::chrono::steady_clock::now() < next) {
              cv_.WaitUntil(&mu_, next);
              continue;
            }
            mu_.Unlock();
            beat();
            mu_.Lock();
            next = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms);
          }
        }) {}
  ~HeartbeatThread() {
    {
      MutexLock lock(&mu_);
      done_ = true;
    }
    cv_.SignalAll();
    thread_.join();
  }
  HeartbeatThread(const HeartbeatThread&) = delete;
  HeartbeatThread& operator=(const HeartbeatThread&) = delete;

 private:
  Mutex mu_;
  CondVar cv_;
  bool done_ AUGSWEEP_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started after the members it uses
};

bool RetryCannotHelp(StatusCode code) {
  return code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound ||
         code == StatusCode::kFailedPrecondition || code == StatusCode::kUnimplemented;
}

std::string Describe(const v1::JobSpec& job) {
  const std::string fold =
      "fold " + std::to_string(job.fold().fold()) +
      (job.fold().repeat() > 0 ? " repeat " + std::to_string(job.fold().repeat()) : "");
  if (job.kind() == v1::GENERATE)
    return "generate " + job.generate().generator().name() + " " + fold;
  if (job.kind() == v1::FILTER) {
    return "filter " + job.filter().filter().name() + " " + job.filter().generator().name() + " " +
           fold;
  }
  return "train " + job.train_eval().classifier().name() +
         " n=" + std::to_string(job.train_eval().augment_count()) +
         (job.train_eval().generator_name().empty() ? ""
                                                    : " " + job.train_eval().generator_name()) +
         " " + fold;
}

}  // namespace

class Worker::Control : public JobControl {
 public:
  bool cancelled() const override { return cancelled_.load(); }
  void ReportProgress(float fraction) override { progress_.store(fraction); }
  void Cancel() { cancelled_.store(true); }
  float progress() const { return progress_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
  std::atomic<float> progress_{0};
};

Worker::Worker(WorkerOptions options, const ExecutorRegistry* executors)
    : options_(std::move(options)),
      executors_(executors),
      client_(options_.coordinator, options_.credentials),
      runner_(executors, &client_) {
  client_.set_give_up([this] { return stopping_.load(); });
  client_.set_on_refused([this](const Status& refused) {
    Log(refused.ToString() + "; retrying until the coordinator takes it (a result is kept)");
  });
}

// What a job's min_memory_mb is matched against: the GPU's free memory on --device cuda (the
// device CUDA_VISIBLE_DEVICES gives this worker), else the host's.
int64_t Worker::MeasuredFreeMemoryMb() const {
  if (options_.device != "cuda") return AvailableMemoryMb();
  StatusOr<int64_t> free_mb = CudaFreeMemoryMb(0);
  if (free_mb.ok()) return *free_mb;
  if (!gpu_memory_error_logged_.exchange(true)) {
    Log("cannot read the GPU's free memory, advertising 0 MB (jobs with min_memory_mb wait): " +
        free_mb.status().ToString());
  }
  return 0;
}

void Worker::Log(const std::string& line) const {
  std::cerr << options_.log_prefix << " " << worker_id_ << ": " << line << std::endl;
}

v1::WorkerCapabilities Worker::Capabilities() const {
  v1::WorkerCapabilities caps;
  caps.set_device(options_.device);
  caps.set_slots(1);  // one job at a time
  caps.set_free_memory_mb(options_.free_memory_mb > 0 ? options_.free_memory_mb
                                                      : MeasuredFreeMemoryMb());
  if (!executors_->generator_kinds().empty()) caps.add_job_kinds(v1::GENERATE);
  if (!executors_->classifier_kinds().empty()) caps.add_job_kinds(v1::TRAIN_EVAL);
  // Every worker can filter; a label check also needs its classifier kind (matched like a
  // train job's).
  caps.add_job_kinds(v1::FILTER);
  for (const auto& k : executors_->generator_kinds()) caps.add_executor_kinds(k);
  for (const auto& k : executors_->classifier_kinds()) caps.add_executor_kinds(k);
  return caps;
}

Status Worker::Run() {
  AUGSWEEP_RETURN_IF_ERROR(client_.channel_status());
  v1::RegisterWorkerRequest registration;
  std::string host = options_.hostname;
  if (host.empty()) {
    char buffer[256] = {0};
    gethostname(buffer, sizeof(buffer) - 1);
    host = buffer;
  }
  registration.set_hostname(host);
  registration.set_slurm_job_id(options_.slurm_job_id);
  *registration.mutable_capabilities() = Capabilities();
  StatusOr<v1::RegisterWorkerResponse> registered = client_.Register(registration);
  if (!registered.ok()) return stopping_ ? OkStatus() : registered.status();
  worker_id_ = registered->worker_id();
  heartbeat_interval_ms_ = std::max(100, registered->heartbeat_interval_ms());
  if (options_.log_jobs) Log("registered with " + options_.coordinator);

  while (!stopping_) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker_id_);
    *request.mutable_capabilities() = Capabilities();
    request.set_wait_ms(options_.lease_wait_ms);
    StatusOr<v1::LeaseJobResponse> response = client_.Lease(request);
    if (!response.ok()) {
      if (stopping_) break;
      return response.status();
    }
    if (!response->has_lease()) continue;
    AUGSWEEP_RETURN_IF_ERROR(RunOne(response->lease()));
  }
  if (options_.log_jobs) Log("stopped");
  return OkStatus();
}

Status Worker::RunOne(const v1::Lease& lease) {
  const v1::JobSpec& job = lease.job();
  auto control = std::make_shared<Control>();
  {
    MutexLock lock(&mu_);
    current_ = CurrentJob{job.key(), lease.attempt(), control, false};
  }
  if (stopping_) {  // Stop() raced with this lease: hand it straight back
    Stop();
    return OkStatus();
  }
  if (options_.log_jobs) Log(Describe(job) + " (attempt " + std::to_string(lease.attempt()) + ")");

  const auto start = std::chrono::steady_clock::now();
  StatusOr<v1::JobResult> result = [&] {
    // Heartbeats from their own thread while the job runs (a long job must not lose its lease);
    // the thread is stopped and joined when this lambda returns, whatever way it returns.
    HeartbeatThread heartbeat(heartbeat_interval_ms_, [&] {
      v1::HeartbeatRequest beat;
      beat.set_worker_id(worker_id_);
      beat.set_job_key(job.key());
      beat.set_attempt(lease.attempt());
      beat.set_progress(control->progress());
      StatusOr<v1::HeartbeatResponse> answer = client_.Heartbeat(beat);
      if (answer.ok() && answer->cancelled()) control->Cancel();  // lease lost or sweep cancelled
    });
    // JobRunner turns an executor's exception into a failed job; this catches the rest, so that
    // no job can take the worker down.
    return CallCatchingExceptions("running " + job.key(),
                                  [&] { return runner_.Run(lease, *control); });
  }();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  bool given_back;
  {
    MutexLock lock(&mu_);
    given_back = current_->given_back;
    current_.reset();
  }
  if (given_back) return OkStatus();  // Stop() handed the lease back already
  if (result.ok()) {
    v1::CompleteJobRequest complete;
    complete.set_worker_id(worker_id_);
    *complete.mutable_result() = *result;
    StatusOr<v1::CompleteJobResponse> answer = client_.Complete(complete);
    if (!answer.ok()) return answer.status().WithContext("reporting " + job.key());
    char took[32];
    std::snprintf(took, sizeof(took), "%.2f s", seconds);
    if (options_.log_jobs) {
      Log(Describe(job) + (answer->accepted() ? " done in " : " done (a duplicate, ignored) in ") +
          took);
    }
    return OkStatus();
  }
  if (control->cancelled()) {
    Log(Describe(job) + ": stopped, the coordinator took the lease back");
    return OkStatus();
  }
  v1::FailJobRequest fail;
  fail.set_worker_id(worker_id_);
  fail.set_job_key(job.key());
  fail.set_attempt(lease.attempt());
  fail.set_error(result.status().ToString());
  fail.set_retryable(!RetryCannotHelp(result.status().code()));
  Log(Describe(job) + " failed: " + result.status().ToString());
  StatusOr<v1::FailJobResponse> answer = client_.Fail(fail);
  if (!answer.ok()) return answer.status().WithContext("reporting the failure of " + job.key());
  return OkStatus();
}

void Worker::Stop() {
  stopping_ = true;
  MutexLock lock(&mu_);
  if (!current_ || current_->given_back) return;
  current_->given_back = true;
  current_->control->Cancel();
  v1::GiveBackLeaseRequest give_back;
  give_back.set_worker_id(worker_id_);
  give_back.set_job_key(current_->key);
  give_back.set_attempt(current_->attempt);
  Status answer = client_.GiveBack(give_back);
  Log("gave back " + current_->key.substr(0, 18) +
      (answer.ok() ? "" : " (not acknowledged: " + answer.message() + "; its lease will expire)"));
}

}  // namespace augsweep
