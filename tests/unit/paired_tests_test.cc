// Paired tests and Holm's correction (common/metrics/paired_tests.h) against reference values:
// scipy 1.10.1 (Debian 12's python3-scipy) where scipy has the test, by hand where it has not.
// The scipy calls are in the comments; regenerate with /usr/bin/python3.
#include "common/metrics/paired_tests.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace augsweep {
namespace {

const std::vector<double> kD1 = {0.012,  -0.005, 0.03,  0.021, 0.008,
                                 -0.002, 0.017,  0.025, 0.011, 0.004};

TEST(PairedTestsTest, StudentTwoSidedPMatchesScipy) {
  // 2 * scipy.stats.t.sf(2.3, df)
  EXPECT_NEAR(StudentTTwoSidedP(2.3, 1), 0.2610951741772454, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(-2.3, 2), 0.14814814814814814, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(2.3, 5), 0.06977246933203728, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(2.3, 9), 0.04699938892186311, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(2.3, 29), 0.028837232417653992, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(2.3, 100), 0.023526195929603432, 1e-12);
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(0.0, 7), 1.0);
}

TEST(PairedTestsTest, WithoutTheCorrectionItIsScipysPairedTTest) {
  // scipy.stats.ttest_1samp(d1, 0)
  StatusOr<PairedTest> t = CorrectedResampledTTest(kD1, 0.0);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_NEAR(t->statistic, 3.363274406122431, 1e-12);
  EXPECT_NEAR(t->p_value, 0.008345638432308282, 1e-12);
  EXPECT_EQ(t->n, 10);
  EXPECT_NEAR(t->mean_difference, 0.0121, 1e-15);
}

TEST(PairedTestsTest, TheCorrectionInflatesTheVarianceByTestOverTrain) {
  // 5-fold CV: n_test / n_train = 1/4. t = mean / sqrt((1/n + 1/4) var), df = n - 1;
  // by hand with numpy: m / np.sqrt((1/10 + 0.25) * np.var(d1, ddof=1)), and
  // 2 * scipy.stats.t.sf(|t|, 9) for p.
  StatusOr<PairedTest> t = CorrectedResampledTTest(kD1, 0.25);
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->statistic, 1.797745789345105, 1e-12);
  EXPECT_NEAR(t->p_value, 0.10576730656724886, 1e-12);
  // The interval uses the same corrected standard error: its half width is t975(9) * se.
  const double se = t->mean_difference / t->statistic;
  EXPECT_NEAR(t->ci95_high - t->mean_difference, 2.2621571627409915 * se, 1e-12);
  EXPECT_LT(t->ci95_low, 0.0) << "the corrected interval includes 0, the naive one does not";
}

TEST(PairedTestsTest, DegenerateAndBadInput) {
  const std::vector<double> same = {0.01, 0.01, 0.01};
  StatusOr<PairedTest> t = CorrectedResampledTTest(same, 0.25);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->p_value, 0.0);
  EXPECT_TRUE(std::isinf(t->statistic));
  const std::vector<double> zeros = {0.0, 0.0};
  EXPECT_EQ(CorrectedResampledTTest(zeros, 0.25)->p_value, 1.0);
  const std::vector<double> one = {0.1};
  EXPECT_EQ(CorrectedResampledTTest(one, 0.25).status().code(), StatusCode::kInvalidArgument);
  const std::vector<double> nan = {0.1, std::nan("")};
  EXPECT_NE(CorrectedResampledTTest(nan, 0.25).status().message().find("difference 1"),
            std::string::npos);
  EXPECT_EQ(CorrectedResampledTTest(kD1, -1).status().code(), StatusCode::kInvalidArgument);
  StatusOr<PairedTest> w = WilcoxonSignedRank(zeros);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->n, 0);
  EXPECT_EQ(w->p_value, 1.0);
}

TEST(PairedTestsTest, WilcoxonExactMatchesScipy) {
  // scipy.stats.wilcoxon(d1): no zeros, no ties, n = 10 -> the exact distribution.
  StatusOr<PairedTest> w = WilcoxonSignedRank(kD1);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->statistic, 4.0);
  EXPECT_NEAR(w->p_value, 0.013671875, 1e-15);
}

TEST(PairedTestsTest, WilcoxonWithZerosAndTiesMatchesScipysApproximation) {
  // scipy.stats.wilcoxon(d2): zeros dropped, tied ranks averaged, normal approximation.
  const std::vector<double> d2 = {0.01,  0.01, -0.02, 0.0, 0.03, 0.01,
                                  -0.01, 0.02, 0.02,  0.0, 0.04, -0.01};
  StatusOr<PairedTest> w = WilcoxonSignedRank(d2);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->n, 10);
  EXPECT_EQ(w->statistic, 13.0);
  EXPECT_NEAR(w->p_value, 0.13320998376632007, 1e-12);
}

TEST(PairedTestsTest, WilcoxonAbove50MatchesScipysApproximation) {
  // d3 = np.round(np.random.default_rng(7).normal(0.004, 0.02, 60), 6); scipy.stats.wilcoxon(d3)
  const std::vector<double> d3 = {
      0.004025,  0.009975,  -0.001483, -0.013812, -0.005093, -0.015833, 0.005203,  0.030804,
      -0.005844, -0.008409, 0.013797,  0.011138,  0.006108,  -0.014609, 0.003415,  0.017906,
      -0.022884, -0.005152, -0.034024, -0.021791, -0.032835, -0.000702, -0.021349, 0.009425,
      0.007135,  0.000261,  -0.046335, -0.006774, 0.00303,   0.006266,  -0.026603, -0.005555,
      -0.01557,  -0.012177, 0.025218,  -0.012151, 0.00335,   0.021688,  -0.007672, 0.001766,
      0.006209,  0.005276,  -0.020501, 0.005523,  0.031176,  -0.026943, 0.021188,  0.006387,
      -0.008829, 0.044008,  0.019245,  -0.019986, 0.00549,   0.015534,  0.000224,  0.017658,
      0.00267,   0.017345,  0.03277,   -0.009513};
  StatusOr<PairedTest> w = WilcoxonSignedRank(d3);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->statistic, 907.0);
  EXPECT_NEAR(w->p_value, 0.9530374737406601, 1e-12);
}

TEST(PairedTestsTest, HolmByHand) {
  // m = 4: sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> monotone
  // 0.02, 0.03, 0.06, 0.06; back in the order given.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const std::vector<double> adjusted = HolmAdjust(p);
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
  // Capped at 1; a NaN stays NaN and does not count in m.
  const std::vector<double> with_nan = {0.6, std::nan(""), 0.2};
  const std::vector<double> out = HolmAdjust(with_nan);
  EXPECT_NEAR(out[2], 0.4, 1e-15);
  EXPECT_NEAR(out[0], 0.6, 1e-15);
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_TRUE(HolmAdjust(std::vector<double>{}).empty());
}

}  // namespace
}  // namespace augsweep
