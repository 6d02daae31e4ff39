#include "common/metrics/paired_tests.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "common/metrics/summary_stats.h"

namespace augsweep {
namespace {

Status CheckFinite(std::span<const double> values, size_t at_least) {
  if (values.size() < at_least) {
    return InvalidArgumentError("expected at least " + std::to_string(at_least) +
                                " paired differences, got " + std::to_string(values.size()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return InvalidArgumentError("difference " + std::to_string(i) + " is not a finite number");
    }
  }
  return OkStatus();
}

double Mean(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// Average ranks (1-based) of `values`, ties sharing the mean of their positions.
std::vector<double> AverageRanks(const std::vector<double>& values, bool* has_ties) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  *has_ties = false;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    if (j > i) *has_ties = true;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

// P(W+ <= w) under the null for n differences without ties: the number of subsets of {1..n}
// with sum <= w over 2^n (counts fit a double exactly for n <= 50: 2^50 < 2^53).
double ExactSignedRankCdf(int n, int w) {
  const int max_sum = n * (n + 1) / 2;
  std::vector<double> count(static_cast<size_t>(max_sum) + 1, 0.0);
  count[0] = 1.0;
  for (int r = 1; r <= n; ++r) {
    for (int s = max_sum; s >= r; --s)
      count[static_cast<size_t>(s)] += count[static_cast<size_t>(s - r)];
  }
  double at_most = 0.0;
  for (int s = 0; s <= std::min(w, max_sum); ++s) at_most += count[static_cast<size_t>(s)];
  return at_most / std::ldexp(1.0, n);
}

}  // namespace

StatusOr<PairedTest> CorrectedResampledTTest(std::span<const double> differences,
                                             double test_train_ratio) {
  AUGSWEEP_RETURN_IF_ERROR(CheckFinite(differences, 2));
  if (!(test_train_ratio >= 0) || !std::isfinite(test_train_ratio)) {
    return InvalidArgumentError("test_train_ratio must be a finite number >= 0");
  }
  const auto n = static_cast<int>(differences.size());
  PairedTest r;
  r.n = n;
  r.mean_difference = Mean(differences);
  double squares = 0.0;
  for (double d : differences) squares += (d - r.mean_difference) * (d - r.mean_difference);
  const double variance = squares / (n - 1);
  const double se = std::sqrt((1.0 / n + test_train_ratio) * variance);
  const double half_width = StudentT975(n - 1) * se;
  r.ci95_low = r.mean_difference - half_width;
  r.ci95_high = r.mean_difference + half_width;
  if (se == 0) {  // identical differences: no evidence either way unless they are not zero
    r.statistic = r.mean_difference == 0
                      ? 0.0
                      : std::copysign(std::numeric_limits<double>::infinity(), r.mean_difference);
    r.p_value = r.mean_difference == 0 ? 1.0 : 0.0;
    return r;
  }
  r.statistic = r.mean_difference / se;
  r.p_value = StudentTTwoSidedP(r.statistic, n - 1);
  return r;
}

StatusOr<PairedTest> WilcoxonSignedRank(std::span<const double> differences) {
  AUGSWEEP_RETURN_IF_ERROR(CheckFinite(differences, 1));
  PairedTest r;
  r.mean_difference = Mean(differences);
  if (differences.size() >= 2) {
    StatusOr<PairedTest> t = CorrectedResampledTTest(differences, 0.0);
    if (t.ok()) {
      r.ci95_low = t->ci95_low;
      r.ci95_high = t->ci95_high;
    }
  } else {
    r.ci95_low = r.ci95_high = r.mean_difference;
  }
  std::vector<double> magnitudes;
  std::vector<bool> positive;
  for (double d : differences) {
    if (d == 0) continue;
    magnitudes.push_back(std::fabs(d));
    positive.push_back(d > 0);
  }
  const auto n = static_cast<int>(magnitudes.size());
  r.n = n;
  if (n == 0) return r;  // statistic 0, p 1
  bool ties = false;
  const std::vector<double> ranks = AverageRanks(magnitudes, &ties);
  double w_plus = 0.0, w_minus = 0.0;
  for (int i = 0; i < n; ++i)
    (positive[static_cast<size_t>(i)] ? w_plus : w_minus) += ranks[static_cast<size_t>(i)];
  r.statistic = std::min(w_plus, w_minus);
  const bool exact = n <= 50 && !ties && n == static_cast<int>(differences.size());
  if (exact) {
    r.p_value = std::min(1.0, 2.0 * ExactSignedRankCdf(n, static_cast<int>(r.statistic)));
    return r;
  }
  const double nn = n;
  const double mean = nn * (nn + 1) / 4.0;
  double variance = nn * (nn + 1) * (2 * nn + 1);
  // Tie correction: each group of t equal magnitudes removes (t^3 - t) / 2 (before the / 24).
  std::vector<double> sorted = magnitudes;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i);
    variance -= 0.5 * t * (t * t - 1);
    i = j;
  }
  const double se = std::sqrt(variance / 24.0);
  const double z = se > 0 ? (r.statistic - mean) / se : 0.0;
  r.p_value = std::min(1.0, std::erfc(std::fabs(z) / std::sqrt(2.0)));
  return r;
}

std::vector<double> HolmAdjust(std::span<const double> p_values) {
  std::vector<double> adjusted(p_values.begin(), p_values.end());
  std::vector<size_t> order;
  for (size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  const double m = static_cast<double>(order.size());
  double running = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    const double scaled = std::min(1.0, (m - static_cast<double>(i)) * p_values[order[i]]);
    running = std::max(running, scaled);
    adjusted[order[i]] = running;
  }
  return adjusted;
}

}  // namespace augsweep
