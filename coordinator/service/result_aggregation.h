// The result table as a read-time view over fold-level results: one row per (generator,
// temperature, augment count, classifier) with the mean, SD and 95% CI of the fold macro AUCs,
// per-theme means, and each classifier's baseline row (n = 0) that the other rows are compared
// against. Built from the scheduler's SweepCells into the GetResults reply.
#pragma once

#include <string_view>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"
#include "coordinator/scheduler/scheduler_types.h"

namespace augsweep {

// The paired test behind each row's p-value (GetResultsRequest.test).
enum class PairedTestKind {
  kCorrectedT,  // "t": Nadeau & Bengio's corrected resampled t-test, the default
  kWilcoxon,    // "wilcoxon": the signed-rank test, which assumes nothing of the distribution
};

// "" and "t" are the t-test, "wilcoxon" the signed-rank test; InvalidArgument otherwise.
StatusOr<PairedTestKind> ParsePairedTestKind(std::string_view name);
const char* PairedTestName(PairedTestKind kind);  // "t" or "wilcoxon"

// A fold whose macro AUC is undefined is left out of its row's mean (ResultRow.folds counts the
// defined ones) but is not missing; failed and pending folds are counted apart, and `complete`
// is false while any cell's job has no result. Rows keep the spec's order: per classifier its
// baseline, then generators × temperatures × counts.
//
// A row with at least 2 folds shared with its baseline gets the paired comparison: the
// corrected 95% interval of the mean difference (test/train ratio 1/(k-1) for k folds), the
// p-value of `test`, and, over every such row, Holm's adjusted p and a verdict. The best row is
// the highest mean AUC over rows with at least 2 folds; a row is tied with it when the same test
// on their shared folds (at least 2) gives p >= 0.05.
v1::GetResultsResponse AggregateResults(const SweepCells& sweep,
                                        PairedTestKind test = PairedTestKind::kCorrectedT);

}  // namespace augsweep
