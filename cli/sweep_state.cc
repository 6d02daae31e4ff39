#include "cli/sweep_state.h"

namespace augsweep::cli {

std::string SweepStateName(v1::SweepState state) {
  std::string name = v1::SweepState_Name(state);
  const std::string prefix = "SWEEP_STATE_";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

bool IsFinished(v1::SweepState state) {
  return state == v1::SWEEP_STATE_SUCCEEDED || state == v1::SWEEP_STATE_FAILED ||
         state == v1::SWEEP_STATE_CANCELLED;
}

int FinishedJobs(const v1::StageCounts& stage) {
  return stage.succeeded() + stage.failed() + stage.blocked() + stage.cancelled();
}

int TotalJobs(const v1::StageCounts& stage) {
  return stage.waiting() + stage.ready() + stage.leased() + FinishedJobs(stage);
}

void CountJobs(const v1::SweepStatus& status, int* finished, int* total) {
  *finished = 0;
  *total = 0;
  for (const v1::StageCounts& stage : status.stages()) {
    *finished += FinishedJobs(stage);
    *total += TotalJobs(stage);
  }
}

}  // namespace augsweep::cli
