#include "common/metrics/summary_stats.h"

#include <cmath>
#include <string>

namespace augsweep {

StatusOr<Summary> Summarize(std::span<const double> values) {
  if (values.empty()) {
    return InvalidArgumentError(
        "summary: no values; expected at least one (were all folds undefined?)");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return InvalidArgumentError("summary: value " + std::to_string(i) + " is " +
                                  (std::isnan(values[i]) ? "NaN" : "infinite") +
                                  "; expected a finite number");
    }
  }
  Summary s;
  s.n = static_cast<int>(values.size());
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / s.n;
  // Two passes: subtracting the mean first avoids the cancellation of sum(x^2) - n*mean^2, which
  // matters here because fold AUCs agree to two or three digits.
  if (s.n > 1) {
    double squares = 0.0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(squares / (s.n - 1));
  }
  s.ci95_low = s.mean;
  s.ci95_high = s.mean;
  if (s.n > 1) {
    const double half_width = StudentT975(s.n - 1) * s.sd / std::sqrt(static_cast<double>(s.n));
    s.ci95_low = s.mean - half_width;
    s.ci95_high = s.mean + half_width;
  }
  return s;
}

}  // namespace augsweep
