// Paired comparisons of a sweep cell with its baseline over the same folds, and Holm's
// correction for testing every cell of a sweep at once. Standard library only.
//
//   CorrectedResampledTTest  Nadeau & Bengio (2003), in Bouckaert & Frank's (2004) form for
//                            repeated k-fold CV: the variance of the fold differences inflated
//                            by n_test / n_train, because folds share training data
//   WilcoxonSignedRank       two-sided, zero differences dropped (scipy's zero_method="wilcox"):
//                            the exact distribution for up to 50 differences without ties, else
//                            the normal approximation with the tie correction and no continuity
//                            correction (scipy's defaults)
//   HolmAdjust               Holm's (1979) step-down adjusted p-values
#pragma once

#include <span>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct PairedTest {
  int n = 0;                   // differences used (Wilcoxon: the non-zero ones)
  double mean_difference = 0;  // over every difference given
  double ci95_low = 0;         // t-test: mean ± t(0.975, n-1) x the corrected standard error
  double ci95_high = 0;        // Wilcoxon: the same interval (it has none of its own here)
  double statistic = 0;        // t, or Wilcoxon's min(W+, W-)
  double p_value = 1;          // two-sided
};

// `differences`: cell minus baseline per fold (and repeat), at least 2. test_train_ratio:
// n_test / n_train of a fold (1 / (k - 1) for k-fold CV; 0 gives the ordinary paired t-test).
StatusOr<PairedTest> CorrectedResampledTTest(std::span<const double> differences,
                                             double test_train_ratio);

// `differences`: at least 1. With every difference zero: n 0, statistic 0, p 1.
StatusOr<PairedTest> WilcoxonSignedRank(std::span<const double> differences);

// Adjusted p-values in the order given: sorted ascending, the i-th (from 0) is multiplied by
// m - i, capped at 1, and made monotone. A NaN stays NaN and does not count in m.
std::vector<double> HolmAdjust(std::span<const double> p_values);

// P(|T| >= |t|) for Student's t with df >= 1 degrees of freedom.
double StudentTTwoSidedP(double t, int df);

}  // namespace augsweep
