// Multilabel-stratified k-fold splits: every fold gets about the same number of examples and about
// the same number of positives of every theme, so per-theme AUC is defined (and comparable) on
// every test fold even for rare themes. Deterministic in the seed on every platform; the split is
// stored with a sweep, so the same seed must reproduce it anywhere.
//
// Inputs are plain label sets (theme indices per example), so this module knows nothing of
// datasets.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct FoldSplit {
  int repeat = 0;
  int num_folds = 0;
  std::vector<int> fold_of_example;  // size n; value in [0, num_folds)

  // Examples outside / inside `fold`, sorted ascending. `fold` must be in [0, num_folds).
  std::vector<int> TrainIndices(int fold) const;
  std::vector<int> TestIndices(int fold) const;
};

// Iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011, "On the stratification of
// multi-label data", Algorithm 1) with equal fold proportions. The example order is shuffled with
// `seed` first, and every tie the paper leaves to chance is broken with the same seeded generator.
// Algorithm 1 alone leaves some theme or fold size off by 2 or more in most realistic splits, so a
// deterministic local search (moves and swaps between folds) then balances every theme's positives
// and the fold sizes to within 1 wherever it finds such a split (on every realistic dataset tried).
// Duplicate indices in one example's label set count once.
// Errors (InvalidArgument): num_themes < 0, num_folds < 2, num_folds > number of examples, a theme
// index outside [0, num_themes). Every fold of the result is non-empty. The result has repeat = 0.
StatusOr<FoldSplit> IterativeStratifiedSplit(const std::vector<std::vector<int>>& labels,
                                             int num_themes, int num_folds, uint64_t seed);

// `repeats` independent splits; repeat r is IterativeStratifiedSplit(..., RepeatSeed(seed, r)) with
// its `repeat` field set to r. Errors as above, and repeats < 1.
StatusOr<std::vector<FoldSplit>> RepeatedStratifiedSplits(
    const std::vector<std::vector<int>>& labels, int num_themes, int num_folds, int repeats,
    uint64_t seed);

// The seed repeat r of a sweep seeded with `seed` uses; a fixed hash of (seed, r), so one repeat
// can be rebuilt on its own.
uint64_t RepeatSeed(uint64_t seed, int repeat);

}  // namespace augsweep
