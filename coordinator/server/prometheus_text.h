// The coordinator's metrics in Prometheus' text exposition format (version 0.0.4): jobs by kind
// and state, sweeps, workers, LeaseJob latency, job seconds by kind, store write latency.
#pragma once

#include <string>

#include "common/metrics/histogram.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

// Every family with its HELP and TYPE lines; ends with a newline.
std::string RenderPrometheusText(const SchedulerStats& stats, const Histogram& lease_seconds);

}  // namespace augsweep
