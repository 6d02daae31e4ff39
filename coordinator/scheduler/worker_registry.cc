#include "coordinator/scheduler/worker_registry.h"

#include "common/sha256.h"

namespace augsweep {

std::string WorkerRegistry::Register(const WorkerRegistration& registration, int64_t now_ms) {
  MutexLock lock(&mu_);
  std::string id = registration.hostname.empty() ? "worker" : registration.hostname;
  id += "-" + ContentHasher()
                  .Add("host", registration.hostname)
                  .AddInt("time", now_ms)
                  .AddInt("n", static_cast<int64_t>(workers_.size()))
                  .HexDigest()
                  .substr(0, 6);
  if (!registration.slurm_job_id.empty()) id += "-slurm" + registration.slurm_job_id;
  WorkerEntry& entry = workers_[id];
  entry.worker_id = id;
  entry.hostname = registration.hostname;
  entry.device = registration.capabilities.device;
  entry.last_seen_unix_ms = now_ms;
  return id;
}

void WorkerRegistry::Touch(const std::string& worker_id, const std::string& current_job,
                           int64_t now_ms) {
  MutexLock lock(&mu_);
  WorkerEntry& entry = workers_[worker_id];
  entry.worker_id = worker_id;
  entry.last_seen_unix_ms = now_ms;
  entry.current_job = current_job;
}

int32_t WorkerRegistry::CountActive(int64_t now_ms, int64_t window_ms) const {
  MutexLock lock(&mu_);
  int32_t active = 0;
  for (const auto& [id, entry] : workers_) active += now_ms - entry.last_seen_unix_ms < window_ms;
  return active;
}

std::vector<WorkerEntry> WorkerRegistry::List() const {
  MutexLock lock(&mu_);
  std::vector<WorkerEntry> out;
  for (const auto& [id, entry] : workers_) out.push_back(entry);
  return out;
}

}  // namespace augsweep
