// The status view of a sweep: job counts per stage, its state, its recent errors and the ETA,
// computed from the scheduler's job table. Internal to the scheduler (it reads the stored
// records); what it returns is the scheduler's own SweepProgress.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "augsweep/v1/records.pb.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

// How long finished jobs of each stage took (lease to completion), for the ETA.
class StageDurations {
 public:
  void Add(JobStage stage, double seconds);
  std::optional<double> MeanSeconds(JobStage stage) const;  // nullopt before the first one

 private:
  std::map<JobStage, std::pair<double, int>> sums_;  // seconds summed, count
};

// `progress`: what the executors of leased jobs last reported (job key → 0..1). The ETA is the
// open jobs' expected remaining time (their stage's mean duration, less the share a leased job
// has done) spread over the active workers; -1 while a stage with open jobs has no finished
// job yet, or no worker is active.
SweepProgress ComputeSweepProgress(const v1::SweepRecord& sweep,
                                   const std::map<std::string, v1::JobRecord>& jobs,
                                   const std::map<std::string, float>& progress,
                                   const StageDurations& durations, int32_t active_workers);

}  // namespace augsweep
