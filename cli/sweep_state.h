// How a sweep's state and job counts read, shared by `status`, its --watch view, `run` and the
// HTML report.
#pragma once

#include <string>

#include "augsweep/v1/sweep_service.pb.h"

namespace augsweep::cli {

std::string SweepStateName(v1::SweepState state);  // "RUNNING"
bool IsFinished(v1::SweepState state);             // SUCCEEDED, FAILED or CANCELLED

// A stage's jobs that are finished (succeeded, failed, blocked, cancelled), and all of them.
int FinishedJobs(const v1::StageCounts& stage);
int TotalJobs(const v1::StageCounts& stage);
// The same over every stage.
void CountJobs(const v1::SweepStatus& status, int* finished, int* total);

}  // namespace augsweep::cli
