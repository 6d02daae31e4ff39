#include "common/metrics/auc.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

namespace augsweep {

std::optional<double> RocAuc(std::span<const double> scores, std::span<const int> labels) {
  assert(scores.size() == labels.size());
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });

  // Twice U, as an integer: every positive earns 2 per negative below it and 1 per negative tied
  // with it. Integers keep the result exact until the one final division.
  uint64_t twice_u = 0;
  uint64_t negatives_below = 0;
  uint64_t positives = 0;
  for (size_t start = 0; start < n;) {
    size_t end = start;
    uint64_t group_pos = 0, group_neg = 0;
    while (end < n && scores[order[end]] == scores[order[start]]) {
      assert(std::isfinite(scores[order[end]]));
      assert(labels[order[end]] == 0 || labels[order[end]] == 1);
      if (labels[order[end]] != 0) {
        ++group_pos;
      } else {
        ++group_neg;
      }
      ++end;
    }
    twice_u += group_pos * (2 * negatives_below + group_neg);
    negatives_below += group_neg;
    positives += group_pos;
    start = end;
  }
  const uint64_t negatives = negatives_below;
  if (positives == 0 || negatives == 0) return std::nullopt;
  return static_cast<double>(twice_u) /
         (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
}

StatusOr<FoldAuc> ComputeFoldAuc(const std::vector<std::vector<double>>& scores,
                                 const std::vector<std::vector<int>>& labels, int num_themes) {
  if (num_themes < 1) {
    return InvalidArgumentError("fold AUC: num_themes is " + std::to_string(num_themes) +
                                "; expected at least 1");
  }
  if (scores.size() != labels.size()) {
    return InvalidArgumentError("fold AUC: " + std::to_string(scores.size()) + " score rows but " +
                                std::to_string(labels.size()) +
                                " label sets; expected one of each per example");
  }
  const size_t n = scores.size();
  for (size_t i = 0; i < n; ++i) {
    if (scores[i].size() != static_cast<size_t>(num_themes)) {
      return InvalidArgumentError(
          "fold AUC: example " + std::to_string(i) + ": " + std::to_string(scores[i].size()) +
          " scores; expected one per theme (" + std::to_string(num_themes) + ")");
    }
    for (int t = 0; t < num_themes; ++t) {
      if (!std::isfinite(scores[i][t])) {
        return InvalidArgumentError("fold AUC: example " + std::to_string(i) + ", theme " +
                                    std::to_string(t) + ": score is " +
                                    (std::isnan(scores[i][t]) ? "NaN" : "infinite") +
                                    "; expected a finite number");
      }
    }
    for (int t : labels[i]) {
      if (t < 0 || t >= num_themes) {
        return InvalidArgumentError("fold AUC: example " + std::to_string(i) + ": theme index " +
                                    std::to_string(t) + " is out of range; expected 0.." +
                                    std::to_string(num_themes - 1));
      }
    }
  }

  // Column-major copies so each theme is one contiguous span for RocAuc.
  std::vector<std::vector<double>> theme_scores(num_themes, std::vector<double>(n));
  std::vector<std::vector<int>> theme_labels(num_themes, std::vector<int>(n, 0));
  for (size_t i = 0; i < n; ++i) {
    for (int t = 0; t < num_themes; ++t) theme_scores[t][i] = scores[i][t];
    for (int t : labels[i]) theme_labels[t][i] = 1;
  }

  FoldAuc result;
  result.per_theme.resize(num_themes);
  double sum = 0.0;
  for (int t = 0; t < num_themes; ++t) {
    result.per_theme[t] = RocAuc(theme_scores[t], theme_labels[t]);
    if (result.per_theme[t].has_value()) {
      sum += *result.per_theme[t];
      ++result.defined_themes;
    }
  }
  if (result.defined_themes > 0) result.macro = sum / result.defined_themes;
  return result;
}

}  // namespace augsweep
