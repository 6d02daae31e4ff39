// Mean, spread and 95% confidence interval of fold-level results (for example the macro AUC of each
// test fold of one sweep cell), as the results table reports them: "0.87 (SD 0.02)".
#pragma once

#include <span>

#include "common/status.h"

namespace augsweep {

struct Summary {
  int n = 0;
  double mean = 0.0;
  double sd = 0.0;  // sample SD (divides by n-1); 0 when n == 1
  // mean ± StudentT975(n-1) * sd / sqrt(n); both equal mean when n == 1.
  double ci95_low = 0.0;
  double ci95_high = 0.0;
};

// Uses every value given: callers drop undefined folds themselves and report how many they dropped.
// Errors (InvalidArgument): no values; a NaN or infinite value (the message names its index).
StatusOr<Summary> Summarize(std::span<const double> values);

// The 0.975 quantile of Student's t distribution with the given degrees of freedom (>= 1; NaN
// otherwise): the two-sided 95% critical value. Exact to about 1e-12 for every df.
double StudentT975(int degrees_of_freedom);

}  // namespace augsweep
