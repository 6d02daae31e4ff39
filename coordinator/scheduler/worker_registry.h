// The workers the coordinator has seen: who they are, when each was last heard from and what it
// runs. Its own lock, apart from the job state's, so `augsweep workers` never waits behind a
// transition. In memory only: workers register again after a coordinator restart.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

class WorkerRegistry {
 public:
  // A new id: the hostname, a short hash of it with the time and the count so far, and the
  // Slurm job id when there is one (so `augsweep workers` ties a worker to its batch job).
  std::string Register(const WorkerRegistration& registration, int64_t now_ms);
  // Records that `worker_id` was heard from, running `current_job` (empty: idle). An id that
  // never registered (a worker of the coordinator's previous run) is added.
  void Touch(const std::string& worker_id, const std::string& current_job, int64_t now_ms);
  // Workers heard from within `window_ms` before `now_ms`.
  int32_t CountActive(int64_t now_ms, int64_t window_ms) const;
  std::vector<WorkerEntry> List() const;

 private:
  mutable Mutex mu_;
  std::map<std::string, WorkerEntry> workers_ AUGSWEEP_GUARDED_BY(mu_);
};

}  // namespace augsweep
