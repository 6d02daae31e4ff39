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

// `macro_auc(job_key)`: the fold's macro AUC, nullopt while the job has no result or when the
// macro AUC is undefined on that fold. Rows keep the spec's order: per classifier its baseline,
// then generators × temperatures × counts.
v1::GetResultsResponse AggregateResults(
    const v1::SweepRecord& sweep,
    const std::function<std::optional<double>(const std::string& job_key)>& macro_auc);

}  // namespace augsweep
