#include "common/folds/stratified_folds.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "common/deterministic_rng.h"

namespace augsweep {
namespace {

// Picks uniformly among `candidates` (non-empty) with the seeded generator.
int PickOne(const std::vector<int>& candidates, DeterministicRng& rng) {
  if (candidates.size() == 1) return candidates[0];
  return candidates[static_cast<size_t>(rng.Below(candidates.size()))];
}

Status ValidateLabels(const std::vector<std::vector<int>>& labels, int num_themes, int num_folds) {
  if (num_themes < 0) {
    return InvalidArgumentError("stratified split: num_themes is " + std::to_string(num_themes) +
                                "; expected >= 0");
  }
  if (num_folds < 2) {
    return InvalidArgumentError("stratified split: num_folds is " + std::to_string(num_folds) +
                                "; expected at least 2");
  }
  if (static_cast<size_t>(num_folds) > labels.size()) {
    return InvalidArgumentError("stratified split: num_folds is " + std::to_string(num_folds) +
                                " but there are only " + std::to_string(labels.size()) +
                                " examples; every fold needs at least one example");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    for (int theme : labels[i]) {
      if (theme < 0 || theme >= num_themes) {
        return InvalidArgumentError(
            "stratified split: example " + std::to_string(i) + ": theme index " +
            std::to_string(theme) + " is out of range; expected 0.." +
            std::to_string(num_themes - 1) + " (" + std::to_string(num_themes) + " themes)");
      }
    }
  }
  return OkStatus();
}

// Algorithm 1 places each example once, greedily, and on realistic data (60-200 examples, 4-8
// themes, 1-3 themes each) leaves some theme or the fold sizes off by 2-5 in most splits.
// FoldBalancer then moves single examples, or swaps pairs between folds, to lower
//   sum over themes t (and "all examples" as one more theme) of sum over folds f of (k*c_tf -
//   n_t)^2,
// where c_tf counts examples of t in fold f and n_t in total. With the totals fixed, a theme's term
// is smallest exactly when its fold counts differ by at most 1, so the objective reaches its lower
// bound exactly when every theme and the fold sizes are balanced to within 1. Integer arithmetic, a
// fixed scan order and the seeded generator keep it deterministic on every platform.
class FoldBalancer {
 public:
  FoldBalancer(const std::vector<std::vector<int>>& sets, int num_themes, int k,
               std::vector<int>& fold_of)
      : sets_(sets),
        all_(num_themes),
        k_(k),
        fold_of_(fold_of),
        total_(num_themes + 1, 0),
        count_(num_themes + 1, std::vector<long long>(k, 0)) {
    for (size_t i = 0; i < sets_.size(); ++i) {
      for (int t : sets_[i]) ++count_[t][fold_of_[i]];
      ++count_[all_][fold_of_[i]];
    }
    for (int t = 0; t <= all_; ++t) {
      for (int f = 0; f < k_; ++f) total_[t] += count_[t][f];
      // A theme with n_t = q*k + r is best split as r folds of q+1 and k-r of q: r(k-r)k in all.
      const long long r = total_[t] % k_;
      excess_ -= r * (k_ - r) * k_;
      for (int f = 0; f < k_; ++f) excess_ += Square(k_ * count_[t][f] - total_[t]);
    }
  }

  // Greedy descent, then (while some theme is still off by more than 1) a seeded walk that also
  // takes moves leaving the objective unchanged: balanced splits are often a few sideways steps
  // away from a greedy dead end, since fixing a fold size or one theme tends to unbalance another.
  void Run(const std::vector<int>& order, DeterministicRng& rng) {
    Descend(order);
    const size_t n = order.size();
    const uint64_t budget = 400 * static_cast<uint64_t>(n);
    for (uint64_t step = 0; step < budget && excess_ > 0; ++step) {
      const int x = static_cast<int>(rng.Below(n));
      if (rng.Below(2) == 0) {
        int to = static_cast<int>(rng.Below(k_ - 1));
        if (to >= fold_of_[x]) ++to;
        if (count_[all_][fold_of_[x]] > 1 && MoveDelta(x, to) <= 0) Move(x, to);
      } else {
        const int y = static_cast<int>(rng.Below(n));
        if (fold_of_[x] != fold_of_[y] && SwapDelta(x, y) <= 0) Swap(x, y);
      }
    }
    if (excess_ > 0) Descend(order);
  }

 private:
  static long long Square(long long v) { return v * v; }

  // Change of the objective, divided by 2k, when one example of theme t leaves fold a for fold b.
  long long Cost(int t, int a, int b) const {
    return (k_ * count_[t][b] - total_[t]) - (k_ * count_[t][a] - total_[t]) + k_;
  }

  long long MoveDelta(int x, int to) const {
    const int from = fold_of_[x];
    long long delta = Cost(all_, from, to);
    for (int t : sets_[x]) delta += Cost(t, from, to);
    return delta;
  }

  // x and y trade folds; themes both carry (and the fold sizes) cancel out.
  long long SwapDelta(int x, int y) const {
    const int a = fold_of_[x];
    const int b = fold_of_[y];
    const std::vector<int>& sx = sets_[x];
    const std::vector<int>& sy = sets_[y];
    long long delta = 0;
    size_t i = 0, j = 0;
    while (i < sx.size() || j < sy.size()) {
      if (j == sy.size() || (i < sx.size() && sx[i] < sy[j])) {
        delta += Cost(sx[i++], a, b);
      } else if (i == sx.size() || sy[j] < sx[i]) {
        delta += Cost(sy[j++], b, a);
      } else {
        // Both carry it: one leaves a and one arrives, so the term does not change; Cost() is not
        // additive here because it assumes the other counts stay put.
        ++i;
        ++j;
      }
    }
    return delta;
  }

  void Move(int x, int to) {
    excess_ += 2 * k_ * MoveDelta(x, to);
    const int from = fold_of_[x];
    for (int t : sets_[x]) {
      --count_[t][from];
      ++count_[t][to];
    }
    --count_[all_][from];
    ++count_[all_][to];
    fold_of_[x] = to;
  }

  void Swap(int x, int y) {
    const int a = fold_of_[x];
    const int b = fold_of_[y];
    const long long delta = SwapDelta(x, y);
    // Two moves in sequence; the first one's size change is undone by the second.
    const long long before = excess_;
    Move(x, b);
    Move(y, a);
    excess_ = before + 2 * k_ * delta;
  }

  // Strictly improving moves, then swaps, until neither helps.
  void Descend(const std::vector<int>& order) {
    bool improved = true;
    while (improved && excess_ > 0) {
      improved = false;
      for (int x : order) {
        if (count_[all_][fold_of_[x]] == 1) continue;  // never empty a fold
        int best_fold = -1;
        long long best_delta = 0;
        for (int to = 0; to < k_; ++to) {
          if (to == fold_of_[x]) continue;
          const long long delta = MoveDelta(x, to);
          if (delta < best_delta) {
            best_delta = delta;
            best_fold = to;
          }
        }
        if (best_fold != -1) {
          Move(x, best_fold);
          improved = true;
        }
      }
      if (improved) continue;
      for (size_t xi = 0; xi < order.size() && !improved; ++xi) {
        for (size_t yi = xi + 1; yi < order.size(); ++yi) {
          const int x = order[xi];
          const int y = order[yi];
          if (fold_of_[x] != fold_of_[y] && SwapDelta(x, y) < 0) {
            Swap(x, y);
            improved = true;
            break;
          }
        }
      }
    }
  }

  const std::vector<std::vector<int>>& sets_;
  const int all_;  // index of the pseudo-theme every example carries
  const long long k_;
  std::vector<int>& fold_of_;
  std::vector<long long> total_;
  std::vector<std::vector<long long>> count_;  // [theme][fold]
  long long excess_ =
      0;  // objective minus its lower bound; 0 means balanced to within 1 everywhere
};

}  // namespace

std::vector<int> FoldSplit::TrainIndices(int fold) const {
  std::vector<int> out;
  for (size_t i = 0; i < fold_of_example.size(); ++i) {
    if (fold_of_example[i] != fold) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> FoldSplit::TestIndices(int fold) const {
  std::vector<int> out;
  for (size_t i = 0; i < fold_of_example.size(); ++i) {
    if (fold_of_example[i] == fold) out.push_back(static_cast<int>(i));
  }
  return out;
}

uint64_t RepeatSeed(uint64_t seed, int repeat) {
  uint64_t state = seed ^ (0xD1B54A32D192ED03ULL * (static_cast<uint64_t>(repeat) + 1));
  return SplitMix64(state);
}

StatusOr<FoldSplit> IterativeStratifiedSplit(const std::vector<std::vector<int>>& labels,
                                             int num_themes, int num_folds, uint64_t seed) {
  AUGSWEEP_RETURN_IF_ERROR(ValidateLabels(labels, num_themes, num_folds));
  const int n = static_cast<int>(labels.size());
  const int k = num_folds;

  // Label sets without duplicates, so that a repeated index does not count twice.
  std::vector<std::vector<int>> sets(labels);
  for (auto& s : sets) {
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
  }

  DeterministicRng rng(seed);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  rng.Shuffle(order);

  // Desired counts are |D|/k and |D^l|/k minus what a fold already holds. Scaled by k they are
  // integers (|D| - k*assigned), which keeps comparisons and ties exact on every platform.
  std::vector<long long> desired(k, n);
  std::vector<std::vector<long long>> desired_theme(num_themes);
  std::vector<int> remaining(num_themes, 0);  // unassigned examples carrying each theme
  for (const auto& s : sets) {
    for (int t : s) ++remaining[t];
  }
  for (int t = 0; t < num_themes; ++t) desired_theme[t].assign(k, remaining[t]);

  std::vector<int> fold_of(n, -1);
  auto assign = [&](int example, int fold) {
    fold_of[example] = fold;
    desired[fold] -= k;
    for (int t : sets[example]) {
      desired_theme[t][fold] -= k;
      --remaining[t];
    }
  };

  std::vector<int> candidates, best;
  while (true) {
    // The theme with the fewest unassigned examples: rare themes are placed first, while the folds
    // still have room for them.
    candidates.clear();
    int fewest = 0;
    for (int t = 0; t < num_themes; ++t) {
      if (remaining[t] == 0) continue;
      if (candidates.empty() || remaining[t] < fewest) {
        candidates.assign(1, t);
        fewest = remaining[t];
      } else if (remaining[t] == fewest) {
        candidates.push_back(t);
      }
    }
    if (candidates.empty()) break;
    const int theme = PickOne(candidates, rng);

    for (int example : order) {
      if (fold_of[example] != -1) continue;
      if (!std::binary_search(sets[example].begin(), sets[example].end(), theme)) continue;
      const std::vector<long long>& want = desired_theme[theme];
      const long long most = *std::max_element(want.begin(), want.end());
      candidates.clear();
      for (int f = 0; f < k; ++f) {
        if (want[f] == most) candidates.push_back(f);
      }
      long long most_overall = desired[candidates[0]];
      for (int f : candidates) most_overall = std::max(most_overall, desired[f]);
      best.clear();
      for (int f : candidates) {
        if (desired[f] == most_overall) best.push_back(f);
      }
      assign(example, PickOne(best, rng));
    }
  }

  // Examples without any theme only balance fold sizes.
  for (int example : order) {
    if (fold_of[example] != -1) continue;
    const long long most = *std::max_element(desired.begin(), desired.end());
    best.clear();
    for (int f = 0; f < k; ++f) {
      if (desired[f] == most) best.push_back(f);
    }
    assign(example, PickOne(best, rng));
  }

  FoldBalancer(sets, num_themes, k, fold_of).Run(order, rng);

  // While some fold is empty it holds the largest desired overall count (and the largest per-theme
  // count), so it receives the next example; with n >= k no fold stays empty, and the balancer
  // never empties one. Checked anyway, since an empty test fold would silently drop a fold from
  // every result.
  std::vector<int> sizes(k, 0);
  for (int f : fold_of) ++sizes[f];
  for (int f = 0; f < k; ++f) {
    if (sizes[f] == 0) {
      return InternalError("stratified split: fold " + std::to_string(f) + " of " +
                           std::to_string(k) + " is empty for " + std::to_string(n) + " examples");
    }
  }

  FoldSplit split;
  split.repeat = 0;
  split.num_folds = k;
  split.fold_of_example = std::move(fold_of);
  return split;
}

StatusOr<std::vector<FoldSplit>> RepeatedStratifiedSplits(
    const std::vector<std::vector<int>>& labels, int num_themes, int num_folds, int repeats,
    uint64_t seed) {
  if (repeats < 1) {
    return InvalidArgumentError("stratified split: repeats is " + std::to_string(repeats) +
                                "; expected at least 1");
  }
  std::vector<FoldSplit> splits;
  splits.reserve(repeats);
  for (int r = 0; r < repeats; ++r) {
    AUGSWEEP_ASSIGN_OR_RETURN(
        FoldSplit split,
        IterativeStratifiedSplit(labels, num_themes, num_folds, RepeatSeed(seed, r)));
    split.repeat = r;
    splits.push_back(std::move(split));
  }
  return splits;
}

}  // namespace augsweep
