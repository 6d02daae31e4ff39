// The result table as a read-time view over fold-level results: one row per (generator,
// temperature, augment count, classifier) with the mean, SD and 95% CI of the fold macro AUCs,
// and each classifier's baseline row (n = 0) that the other rows are compared against.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "augsweep/v1/records.pb.h"
#include "augsweep/v1/sweep_service.pb.h"

namespace augsweep {

// What a cell's job has produced so far.
struct CellResult {
  bool has_result = false;          // the job succeeded and its result is stored
  std::optional<double> macro_auc;  // nullopt when the macro AUC is undefined on that fold
};

// `cell(job_key)`: the fold result of one cell's job. A fold whose macro AUC is undefined is
// left out of its row (ResultRow.folds counts the defined ones) but is not missing: `complete`
// is false only while some cell's job has no result. Rows keep the spec's order: per classifier
// its baseline, then generators × temperatures × counts.
v1::GetResultsResponse AggregateResults(
    const v1::SweepRecord& sweep,
    const std::function<CellResult(const std::string& job_key)>& cell);

}  // namespace augsweep
