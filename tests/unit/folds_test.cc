#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "common/deterministic_rng.h"
#include "common/folds/stratified_folds.h"

namespace augsweep {
namespace {

using ::testing::HasSubstr;
using Labels = std::vector<std::vector<int>>;

// A survey-like dataset: n examples, each with 1..max_labels distinct themes; theme t is drawn with
// weight 1/(t+1), so the last themes are rare, as real theme frequencies tend to be.
Labels RandomDataset(uint64_t seed, int n, int num_themes, int max_labels) {
  DeterministicRng rng(seed);
  std::vector<uint64_t> cumulative;
  uint64_t acc = 0;
  for (int t = 0; t < num_themes; ++t) cumulative.push_back(acc += 840 / (t + 1));
  Labels labels(n);
  for (auto& set : labels) {
    const int count = 1 + static_cast<int>(rng.Below(max_labels));
    while (static_cast<int>(set.size()) < count) {
      const uint64_t r = rng.Below(acc);
      const int t = static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end(), r) -
                                     cumulative.begin());
      if (std::find(set.begin(), set.end(), t) == set.end()) set.push_back(t);
    }
  }
  return labels;
}

std::vector<int> FoldSizes(const FoldSplit& split) {
  std::vector<int> sizes(split.num_folds, 0);
  for (int f : split.fold_of_example) ++sizes[f];
  return sizes;
}

// Largest (max - min) over themes of the number of positives per fold.
int MaxThemeSpread(const Labels& labels, int num_themes, const std::vector<int>& fold_of, int k) {
  int worst = 0;
  for (int t = 0; t < num_themes; ++t) {
    std::vector<int> per_fold(k, 0);
    for (size_t i = 0; i < labels.size(); ++i) {
      if (std::find(labels[i].begin(), labels[i].end(), t) != labels[i].end())
        ++per_fold[fold_of[i]];
    }
    worst = std::max(worst, *std::max_element(per_fold.begin(), per_fold.end()) -
                                *std::min_element(per_fold.begin(), per_fold.end()));
  }
  return worst;
}

int Spread(const std::vector<int>& v) {
  return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
}

void ExpectPartition(const FoldSplit& split, int n) {
  ASSERT_EQ(split.fold_of_example.size(), static_cast<size_t>(n));
  std::vector<int> times_tested(n, 0);
  for (int f = 0; f < split.num_folds; ++f) {
    const std::vector<int> test = split.TestIndices(f);
    const std::vector<int> train = split.TrainIndices(f);
    EXPECT_FALSE(test.empty()) << "fold " << f;
    EXPECT_TRUE(std::is_sorted(test.begin(), test.end()));
    EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
    EXPECT_EQ(test.size() + train.size(), static_cast<size_t>(n));
    std::vector<int> both;
    std::set_intersection(test.begin(), test.end(), train.begin(), train.end(),
                          std::back_inserter(both));
    EXPECT_TRUE(both.empty()) << "fold " << f << ": an example is both train and test";
    for (int i : test) {
      EXPECT_EQ(split.fold_of_example[i], f);
      ++times_tested[i];
    }
  }
  for (int i = 0; i < n; ++i) EXPECT_EQ(times_tested[i], 1) << "example " << i;
}

TEST(DeterministicRngTest, MatchesReferenceXoshiro256StarStar) {
  // Reference values: xoshiro256** seeded by four SplitMix64 outputs from state 0, computed with an
  // independent implementation of the published algorithms.
  DeterministicRng rng(0);
  EXPECT_EQ(rng.Next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(rng.Next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(rng.Next(), 0x1a5f849d4933e6e0ULL);
}

TEST(DeterministicRngTest, BelowStaysInRangeAndCoversIt) {
  DeterministicRng rng(7);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = rng.Below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int c : seen) EXPECT_GT(c, 800);  // expectation 1000
}

TEST(StratifiedFoldsTest, PinnedSplitIsReproducedExactly) {
  // Stored sweeps are rebuilt from their seed; any change here changes every stored split.
  const Labels labels = {{0}, {1}, {0, 2}, {2}, {1, 2}, {0}, {}, {1}, {0, 1}, {2}, {0}, {1, 2}};
  auto split = IterativeStratifiedSplit(labels, 3, 3, 42);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->fold_of_example, (std::vector<int>{1, 2, 0, 2, 1, 1, 0, 0, 0, 2, 2, 1}));
  EXPECT_EQ(split->repeat, 0);
  EXPECT_EQ(split->num_folds, 3);
}

TEST(StratifiedFoldsTest, SameSeedSameSplitDifferentSeedDifferentSplit) {
  const Labels labels = RandomDataset(1, 120, 6, 3);
  auto a = IterativeStratifiedSplit(labels, 6, 5, 123);
  auto b = IterativeStratifiedSplit(labels, 6, 5, 123);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->fold_of_example, b->fold_of_example);
  int different = 0;
  for (uint64_t seed = 124; seed < 134; ++seed) {
    auto c = IterativeStratifiedSplit(labels, 6, 5, seed);
    ASSERT_TRUE(c.ok());
    if (c->fold_of_example != a->fold_of_example) ++different;
  }
  EXPECT_EQ(different, 10);
}

TEST(StratifiedFoldsTest, RandomRealisticDatasetsAreBalancedPerThemeAndInSize) {
  DeterministicRng pick(2024);
  for (int trial = 0; trial < 30; ++trial) {
    const int n = 60 + static_cast<int>(pick.Below(141));
    const int themes = 4 + static_cast<int>(pick.Below(5));
    const int k = std::vector<int>{3, 5, 10}[pick.Below(3)];
    const Labels labels = RandomDataset(1000 + trial, n, themes, 3);
    auto split = IterativeStratifiedSplit(labels, themes, k, trial);
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    SCOPED_TRACE(testing::Message()
                 << "trial " << trial << ": n=" << n << " themes=" << themes << " k=" << k);
    ExpectPartition(*split, n);
    EXPECT_LE(Spread(FoldSizes(*split)), 1);
    EXPECT_LE(MaxThemeSpread(labels, themes, split->fold_of_example, k), 1);
  }
}

// 100 examples; theme 3 is rare (5 positives), theme 0 is common.
Labels SkewedDataset(uint64_t seed) {
  DeterministicRng rng(seed);
  Labels labels(100);
  for (int i = 0; i < 100; ++i) {
    labels[i].push_back(rng.Below(10) < 7 ? 0 : 1);
    if (rng.Below(4) == 0) labels[i].push_back(2);
  }
  for (int i : {3, 17, 42, 43, 90}) labels[i].push_back(3);
  return labels;
}

TEST(StratifiedFoldsTest, RareThemeGetsExactlyOnePositivePerFold) {
  const Labels labels = SkewedDataset(5);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto split = IterativeStratifiedSplit(labels, 4, 5, seed);
    ASSERT_TRUE(split.ok());
    std::vector<int> rare_per_fold(5, 0);
    for (int i : {3, 17, 42, 43, 90}) ++rare_per_fold[split->fold_of_example[i]];
    EXPECT_EQ(rare_per_fold, (std::vector<int>{1, 1, 1, 1, 1})) << "seed " << seed;
    EXPECT_LE(MaxThemeSpread(labels, 4, split->fold_of_example, 5), 1) << "seed " << seed;
  }
}

TEST(StratifiedFoldsTest, NeverWorseAndOnAverageBetterThanRandomKFold) {
  const Labels labels = SkewedDataset(9);
  int stratified_total = 0, random_total = 0;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto split = IterativeStratifiedSplit(labels, 4, 5, seed);
    ASSERT_TRUE(split.ok());
    // Plain k-fold: shuffle with the same seed, then deal examples round-robin.
    std::vector<int> order(labels.size());
    std::iota(order.begin(), order.end(), 0);
    DeterministicRng rng(seed);
    rng.Shuffle(order);
    std::vector<int> random_fold(labels.size());
    for (size_t i = 0; i < order.size(); ++i) random_fold[order[i]] = static_cast<int>(i % 5);

    const int stratified = MaxThemeSpread(labels, 4, split->fold_of_example, 5);
    const int random = MaxThemeSpread(labels, 4, random_fold, 5);
    EXPECT_LE(stratified, random) << "seed " << seed;
    stratified_total += stratified;
    random_total += random;
  }
  EXPECT_LE(stratified_total, 50);  // at most 1 per split
  EXPECT_GE(random_total, 2 * stratified_total + 50)
      << "random k-fold should spread themes far worse";
}

TEST(StratifiedFoldsTest, UnlabelledExamplesBalanceFoldSizes) {
  Labels labels = RandomDataset(3, 40, 4, 2);
  labels.resize(63);  // 23 examples without any theme
  auto split = IterativeStratifiedSplit(labels, 4, 5, 1);
  ASSERT_TRUE(split.ok());
  ExpectPartition(*split, 63);
  EXPECT_LE(Spread(FoldSizes(*split)), 1);
  EXPECT_LE(MaxThemeSpread(labels, 4, split->fold_of_example, 5), 1);
}

TEST(StratifiedFoldsTest, AsManyFoldsAsExamplesGivesOneExampleEach) {
  const Labels labels = {{0}, {0}, {0}, {1}, {0, 1}, {}, {1}};
  auto split = IterativeStratifiedSplit(labels, 2, 7, 99);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(FoldSizes(*split), std::vector<int>(7, 1));
}

TEST(StratifiedFoldsTest, DuplicateThemeIndicesCountOnce) {
  Labels labels = RandomDataset(4, 50, 4, 2);
  Labels doubled = labels;
  for (auto& set : doubled) {
    const std::vector<int> copy = set;
    set.insert(set.end(), copy.begin(), copy.end());
  }
  auto a = IterativeStratifiedSplit(labels, 4, 5, 8);
  auto b = IterativeStratifiedSplit(doubled, 4, 5, 8);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->fold_of_example, b->fold_of_example);
}

TEST(StratifiedFoldsTest, RepeatsAreDistinctAndEachRebuildableFromItsSeed) {
  const Labels labels = RandomDataset(6, 90, 5, 3);
  auto splits = RepeatedStratifiedSplits(labels, 5, 5, 3, 77);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  ASSERT_EQ(splits->size(), 3u);
  for (int r = 0; r < 3; ++r) {
    const FoldSplit& split = (*splits)[r];
    EXPECT_EQ(split.repeat, r);
    EXPECT_EQ(split.num_folds, 5);
    ExpectPartition(split, 90);
    EXPECT_LE(MaxThemeSpread(labels, 5, split.fold_of_example, 5), 1);
    auto alone = IterativeStratifiedSplit(labels, 5, 5, RepeatSeed(77, r));
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(alone->fold_of_example, split.fold_of_example);
  }
  EXPECT_NE((*splits)[0].fold_of_example, (*splits)[1].fold_of_example);
  EXPECT_NE((*splits)[1].fold_of_example, (*splits)[2].fold_of_example);
  auto again = RepeatedStratifiedSplits(labels, 5, 5, 3, 77);
  ASSERT_TRUE(again.ok());
  for (int r = 0; r < 3; ++r) EXPECT_EQ((*again)[r].fold_of_example, (*splits)[r].fold_of_example);
  EXPECT_NE(RepeatSeed(77, 0), RepeatSeed(77, 1));
  EXPECT_NE(RepeatSeed(77, 0), RepeatSeed(78, 0));
}

TEST(StratifiedFoldsTest, RejectsTooFewFolds) {
  auto split = IterativeStratifiedSplit({{0}, {1}, {0}}, 2, 1, 0);
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(split.status().message(), HasSubstr("num_folds is 1"));
  EXPECT_THAT(split.status().message(), HasSubstr("at least 2"));
}

TEST(StratifiedFoldsTest, RejectsMoreFoldsThanExamples) {
  auto split = IterativeStratifiedSplit({{0}, {1}, {0}}, 2, 4, 0);
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(split.status().message(), HasSubstr("num_folds is 4"));
  EXPECT_THAT(split.status().message(), HasSubstr("only 3 examples"));
}

TEST(StratifiedFoldsTest, RejectsThemeIndexOutOfRange) {
  for (int bad : {2, -1}) {
    auto split = IterativeStratifiedSplit({{0}, {1}, {0, bad}, {1}}, 2, 2, 0);
    ASSERT_FALSE(split.ok());
    EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(split.status().message(), HasSubstr("example 2"));
    EXPECT_THAT(split.status().message(), HasSubstr("theme index " + std::to_string(bad)));
    EXPECT_THAT(split.status().message(), HasSubstr("0..1"));
  }
}

TEST(StratifiedFoldsTest, RejectsZeroRepeats) {
  auto splits = RepeatedStratifiedSplits({{0}, {1}, {0}, {1}}, 2, 2, 0, 0);
  ASSERT_FALSE(splits.ok());
  EXPECT_EQ(splits.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(splits.status().message(), HasSubstr("repeats is 0"));
}

TEST(StratifiedFoldsTest, RepeatedSplitsPassOnValidationErrors) {
  auto splits = RepeatedStratifiedSplits({{0}, {5}}, 2, 2, 2, 0);
  ASSERT_FALSE(splits.ok());
  EXPECT_EQ(splits.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(splits.status().message(), HasSubstr("theme index 5"));
}

}  // namespace
}  // namespace augsweep
