// StudentT975 (declared in summary_stats.h) and StudentTTwoSidedP (paired_tests.h). No lgamma
// (glibc's writes the global signgam, a data race when results are summarised on several threads):
// for integer df the t distribution has a closed form.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "common/metrics/paired_tests.h"
#include "common/metrics/summary_stats.h"

namespace augsweep {
namespace {

// P(|T| <= t) for integer df >= 1, Abramowitz & Stegun 26.7.3 (odd df) and 26.7.4 (even df):
// a finite sum of positive terms, so accurate to rounding for the df it is used for.
double TwoSidedProbability(double t, int df) {
  const double theta = std::atan(t / std::sqrt(static_cast<double>(df)));
  const double c2 = std::cos(theta) * std::cos(theta);
  const double s = std::sin(theta);
  if (df % 2 == 1) {
    double sum = 0.0;
    double term = std::cos(theta);  // cos θ, then (2/3) cos^3 θ, (2·4)/(3·5) cos^5 θ, ...
    for (int j = 1; j <= (df - 1) / 2; ++j) {
      sum += term;
      term *= c2 * (2.0 * j) / (2.0 * j + 1.0);
    }
    return 2.0 / std::numbers::pi * (theta + s * sum);
  }
  double sum = 0.0;
  double term = 1.0;  // 1, then (1/2) cos^2 θ, (1·3)/(2·4) cos^4 θ, ...
  for (int j = 1; j <= df / 2; ++j) {
    sum += term;
    term *= c2 * (2.0 * j - 1.0) / (2.0 * j);
  }
  return s * sum;
}

// Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun 26.7.5), four terms;
// its error falls like df^-5, below 1e-13 beyond the cutoff where it is used.
double CornishFisher975(double df) {
  const double z = 1.959963984540054;  // normal 0.975 quantile
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
  const double g1 = (z3 + z) / 4.0;
  const double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96.0;
  const double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384.0;
  const double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160.0;
  return z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
}

}  // namespace

double StudentTTwoSidedP(double t, int df) {
  if (df < 1 || std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0.0;
  if (df > 100000) return std::erfc(std::fabs(t) / std::numbers::sqrt2);  // the normal limit
  return std::max(0.0, 1.0 - TwoSidedProbability(std::fabs(t), df));
}

double StudentT975(int degrees_of_freedom) {
  if (degrees_of_freedom < 1) return std::numeric_limits<double>::quiet_NaN();
  // Above this the closed-form sums get long and the expansion is already exact to double rounding.
  constexpr int kExpansionCutoff = 1000;
  if (degrees_of_freedom > kExpansionCutoff) return CornishFisher975(degrees_of_freedom);
  // P(|T| <= t) = 0.95 at the 0.975 quantile; it rises with t, and t(0.975, 1) = 12.7 < 64.
  double lo = 0.0, hi = 64.0;
  for (int i = 0; i < 200 && hi - lo > 0.0; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (TwoSidedProbability(mid, degrees_of_freedom) < 0.95) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace augsweep
