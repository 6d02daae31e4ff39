#include "coordinator/scheduler/sweep_progress.h"

#include <algorithm>

#include "coordinator/scheduler/job_records.h"

namespace augsweep {
namespace {

constexpr int kMaxRecentErrors = 5;

void Count(v1::JobState state, StageCounts& c) {
  switch (state) {
    case v1::WAITING:
      ++c.waiting;
      break;
    case v1::READY:
      ++c.ready;
      break;
    case v1::LEASED:
      ++c.leased;
      break;
    case v1::SUCCEEDED:
      ++c.succeeded;
      break;
    case v1::FAILED:
      ++c.failed;
      break;
    case v1::BLOCKED:
      ++c.blocked;
      break;
    case v1::CANCELLED:
      ++c.cancelled;
      break;
    default:
      break;
  }
}

}  // namespace

void StageDurations::Add(JobStage stage, double seconds) {
  auto& [sum, count] = sums_[stage];
  sum += seconds;
  ++count;
}

std::optional<double> StageDurations::MeanSeconds(JobStage stage) const {
  auto it = sums_.find(stage);
  if (it == sums_.end() || it->second.second == 0) return std::nullopt;
  return it->second.first / it->second.second;
}

SweepProgress ComputeSweepProgress(const v1::SweepRecord& sweep,
                                   const std::map<std::string, v1::JobRecord>& jobs,
                                   const std::map<std::string, float>& progress,
                                   const StageDurations& durations, int32_t active_workers) {
  SweepProgress out;
  out.sweep_id = sweep.sweep_id();
  out.name = sweep.name();
  out.submitted_unix_ms = sweep.submitted_unix_ms();
  out.active_workers = active_workers;
  StageCounts generate{JobStage::kGenerate}, filter{JobStage::kFilter},
      train_eval{JobStage::kTrainEval};
  int open = 0, failed = 0, started = 0;
  double remaining_seconds = 0;
  bool eta_known = active_workers > 0;
  for (const std::string& key : sweep.job_keys()) {
    auto it = jobs.find(key);
    if (it == jobs.end()) continue;
    const v1::JobRecord& job = it->second;
    const JobStage stage = StageOf(job.spec());
    Count(job.state(), stage == JobStage::kGenerate ? generate
                       : stage == JobStage::kFilter ? filter
                                                    : train_eval);
    if (!IsTerminal(job.state())) {
      ++open;
      const std::optional<double> mean = durations.MeanSeconds(stage);
      if (!mean) {
        eta_known = false;
      } else {
        double done = 0;
        if (job.state() == v1::LEASED) {
          auto p = progress.find(key);
          if (p != progress.end()) done = std::clamp(static_cast<double>(p->second), 0.0, 1.0);
        }
        remaining_seconds += *mean * (1.0 - done);
      }
    }
    failed += job.state() == v1::FAILED || job.state() == v1::BLOCKED;
    started += job.state() == v1::LEASED || job.state() == v1::SUCCEEDED || job.attempts() > 0;
    if (job.state() == v1::FAILED && out.recent_errors.size() < kMaxRecentErrors) {
      out.recent_errors.push_back("job " + ShortKey(key) + ": " + job.last_error());
    }
  }
  const bool has_filter = filter.waiting + filter.ready + filter.leased + filter.succeeded +
                              filter.failed + filter.blocked + filter.cancelled >
                          0;
  out.stages = {generate};
  if (has_filter) out.stages.push_back(filter);
  out.stages.push_back(train_eval);
  if (sweep.cancelled()) {
    out.state = SweepState::kCancelled;
  } else if (open == 0) {
    out.state = failed == 0 ? SweepState::kSucceeded : SweepState::kFailed;
  } else {
    out.state = started > 0 ? SweepState::kRunning : SweepState::kPending;
  }
  if (open == 0) {
    out.eta_seconds = 0;
  } else if (eta_known) {
    out.eta_seconds = static_cast<int64_t>(remaining_seconds / active_workers + 0.5);
  }
  return out;
}

}  // namespace augsweep
