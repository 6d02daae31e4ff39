#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include "common/metrics/auc.h"
#include "common/metrics/summary_stats.h"

namespace augsweep {
namespace {

using ::testing::HasSubstr;

// The definition itself: over all (positive, negative) pairs, 1 if the positive scores higher,
// 1/2 on a tie.
std::optional<double> BruteForceAuc(const std::vector<double>& scores,
                                    const std::vector<int>& labels) {
  double wins = 0.0;
  long long pairs = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 1) continue;
    for (size_t j = 0; j < scores.size(); ++j) {
      if (labels[j] != 0) continue;
      ++pairs;
      if (scores[i] > scores[j]) wins += 1.0;
      if (scores[i] == scores[j]) wins += 0.5;
    }
  }
  if (pairs == 0) return std::nullopt;
  return wins / static_cast<double>(pairs);
}

TEST(RocAucTest, MatchesBruteForcePairCountIncludingHeavyTies) {
  std::mt19937_64 gen(12345);  // test data only; any sequence will do
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int compared = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 2 + static_cast<int>(gen() % 150);
    const bool heavy_ties = trial % 2 == 0;
    const double positive_rate = 0.05 + 0.9 * uniform(gen);
    std::vector<double> scores(n);
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) {
      labels[i] = uniform(gen) < positive_rate ? 1 : 0;
      // Positives score a little higher on average, so AUCs spread over (0.5, 1), not just near
      // 0.5.
      double s = uniform(gen) + 0.3 * labels[i];
      if (heavy_ties) s = std::round(s * 10.0) / 10.0;
      scores[i] = s;
    }
    const std::optional<double> fast = RocAuc(scores, labels);
    const std::optional<double> slow = BruteForceAuc(scores, labels);
    ASSERT_EQ(fast.has_value(), slow.has_value()) << "trial " << trial;
    if (!fast) continue;
    EXPECT_LT(std::fabs(*fast - *slow), 1e-12) << "trial " << trial << " n=" << n;
    ++compared;
  }
  EXPECT_GT(compared, 250);
}

TEST(RocAucTest, PerfectInvertedAndAllTied) {
  const std::vector<double> scores = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  EXPECT_EQ(RocAuc(scores, std::vector<int>{0, 0, 0, 1, 1, 1}), 1.0);
  EXPECT_EQ(RocAuc(scores, std::vector<int>{1, 1, 1, 0, 0, 0}), 0.0);
  const std::vector<double> tied(6, 0.42);
  EXPECT_EQ(RocAuc(tied, std::vector<int>{0, 1, 0, 1, 1, 0}), 0.5);
}

TEST(RocAucTest, HandComputedWithATie) {
  // Pairs (pos, neg): (0.8,0.1)=1 (0.8,0.5)=1 (0.5,0.1)=1 (0.5,0.5)=0.5 → 3.5 / 4.
  EXPECT_DOUBLE_EQ(*RocAuc(std::vector<double>{0.1, 0.5, 0.5, 0.8}, std::vector<int>{0, 0, 1, 1}),
                   0.875);
}

TEST(RocAucTest, UndefinedWithoutPositivesOrNegatives) {
  const std::vector<double> scores = {0.1, 0.7, 0.3};
  EXPECT_FALSE(RocAuc(scores, std::vector<int>{0, 0, 0}).has_value());
  EXPECT_FALSE(RocAuc(scores, std::vector<int>{1, 1, 1}).has_value());
  EXPECT_FALSE(RocAuc(std::vector<double>{}, std::vector<int>{}).has_value());
}

TEST(ComputeFoldAucTest, PerThemeAndMacroOverDefinedThemesOnly) {
  // Theme 0: perfect. Theme 1: inverted. Theme 2: every example positive (undefined).
  // Theme 3: no positive (undefined).
  const std::vector<std::vector<double>> scores = {
      {0.9, 0.1, 0.5, 0.2}, {0.8, 0.2, 0.5, 0.3}, {0.2, 0.9, 0.5, 0.4}, {0.1, 0.8, 0.5, 0.1}};
  const std::vector<std::vector<int>> labels = {{0, 2}, {0, 2}, {1, 2}, {1, 2}};
  auto fold = ComputeFoldAuc(scores, labels, 4);
  ASSERT_TRUE(fold.ok()) << fold.status().ToString();
  ASSERT_EQ(fold->per_theme.size(), 4u);
  EXPECT_EQ(fold->per_theme[0], 1.0);
  EXPECT_EQ(fold->per_theme[1], 1.0);
  EXPECT_FALSE(fold->per_theme[2].has_value());
  EXPECT_FALSE(fold->per_theme[3].has_value());
  EXPECT_EQ(fold->defined_themes, 2);
  EXPECT_EQ(fold->macro, 1.0);

  // Make theme 1 half right: example 2 (positive) now scores below example 1 (negative).
  auto changed = scores;
  changed[2][1] = 0.15;  // positives {0.15, 0.8} vs negatives {0.1, 0.2}: 3 of 4 pairs
  auto fold2 = ComputeFoldAuc(changed, labels, 4);
  ASSERT_TRUE(fold2.ok());
  EXPECT_DOUBLE_EQ(*fold2->per_theme[1], 0.75);
  EXPECT_DOUBLE_EQ(*fold2->macro, (1.0 + 0.75) / 2.0);
}

TEST(ComputeFoldAucTest, NoDefinedThemeGivesNoMacro) {
  auto fold = ComputeFoldAuc({{0.1, 0.2}, {0.3, 0.4}}, {{0}, {0}}, 2);
  ASSERT_TRUE(fold.ok());
  EXPECT_EQ(fold->defined_themes, 0);
  EXPECT_FALSE(fold->macro.has_value());
}

TEST(ComputeFoldAucTest, DuplicateThemeIndexCountsOnce) {
  auto fold = ComputeFoldAuc({{0.9}, {0.1}}, {{0, 0}, {}}, 1);
  ASSERT_TRUE(fold.ok());
  EXPECT_EQ(fold->per_theme[0], 1.0);
}

TEST(ComputeFoldAucTest, RejectsNonFiniteScoreNamingExampleAndTheme) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto fold = ComputeFoldAuc({{0.1, 0.2}, {0.3, nan}}, {{0}, {1}}, 2);
  ASSERT_FALSE(fold.ok());
  EXPECT_EQ(fold.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(fold.status().message(), HasSubstr("example 1, theme 1"));
  EXPECT_THAT(fold.status().message(), HasSubstr("NaN"));

  auto inf =
      ComputeFoldAuc({{std::numeric_limits<double>::infinity(), 0.2}, {0.3, 0.4}}, {{0}, {1}}, 2);
  ASSERT_FALSE(inf.ok());
  EXPECT_THAT(inf.status().message(), HasSubstr("example 0, theme 0"));
  EXPECT_THAT(inf.status().message(), HasSubstr("infinite"));
}

TEST(ComputeFoldAucTest, RejectsShapeMismatches) {
  auto rows = ComputeFoldAuc({{0.1, 0.2}, {0.3, 0.4}}, {{0}}, 2);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("2 score rows but 1 label sets"));

  auto width = ComputeFoldAuc({{0.1, 0.2}, {0.3}}, {{0}, {1}}, 2);
  ASSERT_FALSE(width.ok());
  EXPECT_EQ(width.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(width.status().message(), HasSubstr("example 1: 1 scores"));
  EXPECT_THAT(width.status().message(), HasSubstr("(2)"));

  auto theme = ComputeFoldAuc({{0.1, 0.2}, {0.3, 0.4}}, {{0}, {2}}, 2);
  ASSERT_FALSE(theme.ok());
  EXPECT_EQ(theme.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(theme.status().message(), HasSubstr("example 1: theme index 2"));

  auto none = ComputeFoldAuc({}, {}, 0);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("num_themes is 0"));
}

TEST(SummarizeTest, HandComputedFiveFolds) {
  const std::vector<double> values = {0.85, 0.87, 0.89, 0.86, 0.88};
  auto s = Summarize(values);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 5);
  EXPECT_NEAR(s->mean, 0.87, 1e-12);
  EXPECT_NEAR(s->sd, 0.0158113883, 1e-10);
  const double half = 2.776445105 * 0.0158113883008419 / std::sqrt(5.0);
  EXPECT_NEAR(s->ci95_low, 0.87 - half, 1e-9);
  EXPECT_NEAR(s->ci95_high, 0.87 + half, 1e-9);
}

TEST(SummarizeTest, SingleValueHasZeroSpreadAndPointInterval) {
  auto s = Summarize(std::vector<double>{0.81});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 1);
  EXPECT_EQ(s->mean, 0.81);
  EXPECT_EQ(s->sd, 0.0);
  EXPECT_EQ(s->ci95_low, 0.81);
  EXPECT_EQ(s->ci95_high, 0.81);
}

TEST(SummarizeTest, TwoValuesUseTheWideT) {
  auto s = Summarize(std::vector<double>{0.8, 0.9});
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->sd, std::sqrt(0.005), 1e-12);
  EXPECT_NEAR(s->ci95_high - s->mean, 12.7062047 * std::sqrt(0.005) / std::sqrt(2.0), 1e-7);
}

TEST(SummarizeTest, RejectsEmptyAndNonFinite) {
  auto empty = Summarize(std::vector<double>{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("no values"));

  auto nan = Summarize(std::vector<double>{0.8, std::numeric_limits<double>::quiet_NaN()});
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(nan.status().message(), HasSubstr("value 1 is NaN"));
}

TEST(StudentT975Test, KnownQuantiles) {
  EXPECT_NEAR(StudentT975(1), 12.7062047, 1e-6);
  EXPECT_NEAR(StudentT975(4), 2.7764451, 1e-6);
  EXPECT_NEAR(StudentT975(10), 2.2281389, 1e-6);
  EXPECT_NEAR(StudentT975(30), 2.0422725, 1e-6);
  EXPECT_NEAR(StudentT975(1000), 1.9623391, 1e-6);
}

TEST(StudentT975Test, MatchesClosedFormsForOneAndTwoDegrees) {
  // df 1 is the Cauchy distribution; df 2 has F^-1(p) = (2p-1) / sqrt(2p(1-p)).
  EXPECT_NEAR(StudentT975(1), std::tan(std::numbers::pi * 0.475), 1e-10);
  EXPECT_NEAR(StudentT975(2), 0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-10);
}

TEST(StudentT975Test, DecreasesTowardsTheNormalQuantileAcrossTheExpansionCutoff) {
  double previous = StudentT975(1);
  for (int df = 2; df <= 3000; ++df) {
    const double t = StudentT975(df);
    ASSERT_LT(t, previous) << "df " << df;
    ASSERT_GT(t, 1.959963984540054) << "df " << df;
    previous = t;
  }
  // The two methods meet at the cutoff: neighbours differ only by the true step (~2.4e-6).
  EXPECT_NEAR(StudentT975(1000) - StudentT975(1001), 2.3755e-6, 1e-9);
  EXPECT_NEAR(StudentT975(1000000000), 1.959963984540054, 1e-8);
}

TEST(StudentT975Test, UndefinedBelowOneDegree) {
  EXPECT_TRUE(std::isnan(StudentT975(0)));
  EXPECT_TRUE(std::isnan(StudentT975(-3)));
}

}  // namespace
}  // namespace augsweep
