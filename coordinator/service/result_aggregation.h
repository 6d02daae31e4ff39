// The result table as a read-time view over fold-level results: one row per (generator,
// temperature, augment count, classifier) with the mean, SD and 95% CI of the fold macro AUCs,
// and each classifier's baseline row (n = 0) that the other rows are compared against. Built
// from the scheduler's SweepCells into the GetResults reply.
#pragma once

#include "augsweep/v1/sweep_service.pb.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

// A fold whose macro AUC is undefined is left out of its row (ResultRow.folds counts the defined
// ones) but is not missing: `complete` is false only while some cell's job has no result. Rows
// keep the spec's order: per classifier its baseline, then generators × temperatures × counts.
// A row with at least 2 folds shared with its baseline gets the paired comparison (corrected
// resampled t-test, test/train ratio 1/(k-1) for k folds) and, over every such row, Holm's
// adjusted p and a verdict.
v1::GetResultsResponse AggregateResults(const SweepCells& sweep);

}  // namespace augsweep
