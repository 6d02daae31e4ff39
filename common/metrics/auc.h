// ROC AUC for one theme and for all themes of one test fold: the number every cell of a sweep's
// results table is built from.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace augsweep {

// Exact ROC AUC as the Mann–Whitney statistic U / (P*N): the share of (positive, negative) pairs in
// which the positive scores higher, a tie counting 1/2. O(n log n): sort once, walk groups of equal
// scores. nullopt when there is no positive or no negative: AUC is undefined then, and reporting
// 0.5 would pass off a missing measurement as a chance-level one. Requires: scores.size() ==
// labels.size(), every score finite, every label 0 or 1 (checked by assert only; use ComputeFoldAuc
// for input that has not been validated).
std::optional<double> RocAuc(std::span<const double> scores, std::span<const int> labels);

struct FoldAuc {
  std::vector<std::optional<double>> per_theme;  // size num_themes; nullopt where undefined
  std::optional<double> macro;                   // mean over the defined themes; nullopt if none
  int defined_themes = 0;
};

// Per-theme and macro AUC of one test fold. scores[example][theme] is the classifier's score;
// labels[example] holds the theme indices the example carries (duplicates count once).
// Errors (InvalidArgument): num_themes < 1, scores and labels of different lengths, a score row of
// the wrong width, a theme index out of range, a score that is NaN or infinite (the message names
// the example and theme).
StatusOr<FoldAuc> ComputeFoldAuc(const std::vector<std::vector<double>>& scores,
                                 const std::vector<std::vector<int>>& labels, int num_themes);

}  // namespace augsweep
