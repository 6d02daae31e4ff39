// What the subcommands share: the coordinator address default, one-line errors with the right
// exit code, and the text form of a sweep's status.
#pragma once

#include <string>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"

namespace augsweep::cli {

// $AUGSWEEP_COORDINATOR, or 127.0.0.1:7070.
std::string DefaultCoordinator();

// Prints "augsweep COMMAND: message" on stderr; returns the exit code for the status.
int ReportError(const std::string& command, const Status& status);

std::string SweepStateName(v1::SweepState state);  // "RUNNING"
bool IsFinished(v1::SweepState state);             // SUCCEEDED, FAILED or CANCELLED

// The multi-line status report of `augsweep status SWEEP`.
std::string FormatSweepStatus(const v1::SweepStatus& status);
// Jobs finished (succeeded, failed, blocked, cancelled) and in all, over every stage.
void CountJobs(const v1::SweepStatus& status, int* finished, int* total);

}  // namespace augsweep::cli
