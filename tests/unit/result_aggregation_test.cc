// AggregateResults: the result table computed from fold-level results (coordinator/service).
#include "coordinator/service/result_aggregation.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics/paired_tests.h"

namespace augsweep {
namespace {

// A cell whose job succeeded with this macro AUC (nullopt: undefined on its fold).
CellResult Done(std::optional<double> macro_auc) {
  CellResult result;
  result.has_result = true;
  result.macro_auc = macro_auc;
  return result;
}

// AggregateResults alone: the view over fold results, with undefined folds and missing jobs.
TEST(AggregateResultsTest, UndefinedFoldsAreDroppedMissingOnesMakeItIncomplete) {
  SweepCells sweep;
  sweep.sweep_id = "sw-1";
  sweep.classifiers = {"c1", "c2"};
  auto add_cell = [&](const std::string& classifier, const std::string& generator, int n,
                      int fold) {
    CellOutcome cell;
    cell.classifier = classifier;
    cell.generator = generator;
    cell.temperature = generator.empty() ? 0.0 : 0.9;
    cell.augment_count = n;
    cell.fold = fold;
    cell.job_key =
        classifier + "/" + generator + "/" + std::to_string(n) + "/" + std::to_string(fold);
    sweep.cells.push_back(cell);
  };
  // Cells in plan order: per fold, each classifier's baseline, then the generator's cells.
  for (int f = 0; f < 2; ++f) {
    add_cell("c1", "", 0, f);
    add_cell("c2", "", 0, f);
    add_cell("c1", "g", 10, f);
    add_cell("c2", "g", 10, f);
  }
  std::map<std::string, CellResult> results = {
      {"c1//0/0", Done(0.5)},   {"c1//0/1", Done(0.7)},
      {"c1/g/10/0", Done(0.9)}, {"c1/g/10/1", Done(std::nullopt)},  // undefined on fold 1
      {"c2//0/0", Done(0.8)},   {"c2//0/1", Done(0.8)},
      {"c2/g/10/0", Done(0.7)}, {"c2/g/10/1", Done(0.7)},
  };
  // The cells with `results` filled in, as JobScheduler::GetResults returns them.
  auto lookup = [&] {
    SweepCells filled = sweep;
    for (CellOutcome& cell : filled.cells) {
      auto it = results.find(cell.job_key);
      cell.result = it == results.end() ? CellResult{} : it->second;
    }
    return filled;
  };
  v1::GetResultsResponse out = AggregateResults(lookup());
  EXPECT_TRUE(out.complete());
  ASSERT_EQ(out.rows_size(), 4);
  // c1's baseline, c1's row, c2's baseline, c2's row.
  EXPECT_EQ(out.rows(0).classifier(), "c1");
  EXPECT_EQ(out.rows(0).generator(), "");
  EXPECT_NEAR(out.rows(0).mean_auc(), 0.6, 1e-12);
  EXPECT_EQ(out.rows(1).classifier(), "c1");
  EXPECT_EQ(out.rows(1).generator(), "g");
  EXPECT_EQ(out.rows(1).folds(), 1);
  EXPECT_NEAR(out.rows(1).mean_auc(), 0.9, 1e-12);
  EXPECT_NEAR(out.rows(1).delta_vs_baseline(), 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(out.rows(1).sd_auc(), 0.0);
  EXPECT_EQ(out.rows(2).classifier(), "c2");
  EXPECT_EQ(out.rows(2).generator(), "");
  EXPECT_EQ(out.rows(3).classifier(), "c2");
  EXPECT_NEAR(out.rows(3).delta_vs_baseline(), -0.1, 1e-12);

  // A job without a result: the row has one fold fewer and the table is not complete.
  results.erase("c2/g/10/1");
  out = AggregateResults(lookup());
  EXPECT_FALSE(out.complete());
  EXPECT_EQ(out.rows(3).folds(), 1);
  // No baseline fold yet: rows keep their folds but have no delta.
  results.erase("c2//0/0");
  results.erase("c2//0/1");
  out = AggregateResults(lookup());
  EXPECT_EQ(out.rows(2).folds(), 0);
  EXPECT_EQ(out.rows(3).folds(), 1);
  EXPECT_DOUBLE_EQ(out.rows(3).delta_vs_baseline(), 0.0);
}

// Each row against its classifier's baseline, paired on (repeat, fold): the corrected
// resampled t-test with n_test / n_train = 1 / (k - 1), Holm over the compared rows, a verdict.
TEST(AggregateResultsTest, RowsArePairedWithTheirBaselineAndHolmCorrected) {
  SweepCells sweep;
  sweep.sweep_id = "sw-2";
  sweep.classifiers = {"c1"};
  // 2 repeats x 5 folds. "up" beats the baseline on every fold by 0.05 +- a little; "flat" is
  // the baseline +- noise; "partial" has one fold without a baseline-paired result.
  const double noise[10] = {0.004, -0.003, 0.002, -0.001, 0.003, -0.004, 0.001, -0.002, 0.0, 0.002};
  for (int r = 0; r < 2; ++r) {
    for (int f = 0; f < 5; ++f) {
      const int i = r * 5 + f;
      auto add = [&](const std::string& generator, int n, std::optional<double> auc) {
        CellOutcome cell;
        cell.classifier = "c1";
        cell.generator = generator;
        cell.temperature = generator.empty() ? 0.0 : 0.7;
        cell.augment_count = n;
        cell.repeat = r;
        cell.fold = f;
        cell.result = Done(auc);
        sweep.cells.push_back(cell);
      };
      const double base = 0.70 + 0.01 * f;
      add("", 0, base);
      add("up", 10, base + 0.05 + noise[i]);
      add("flat", 10, base + noise[(i + 3) % 10]);
      add("partial", 10, i == 0 ? std::nullopt : std::optional<double>(base + 0.02));
    }
  }
  const v1::GetResultsResponse out = AggregateResults(sweep);
  ASSERT_EQ(out.rows_size(), 4);
  const v1::ResultRow& baseline = out.rows(0);
  EXPECT_EQ(baseline.paired_folds(), 0);
  EXPECT_FALSE(baseline.has_p_value());
  EXPECT_EQ(baseline.verdict(), "");
  std::vector<double> raw_p;
  for (int i = 1; i < 4; ++i) {
    const v1::ResultRow& row = out.rows(i);
    SCOPED_TRACE(row.generator());
    // The same numbers as the test itself on the paired differences.
    std::vector<double> differences;
    for (const CellOutcome& cell : sweep.cells) {
      if (cell.generator != row.generator() || !cell.result.macro_auc) continue;
      for (const CellOutcome& b : sweep.cells) {
        if (b.generator.empty() && b.repeat == cell.repeat && b.fold == cell.fold) {
          differences.push_back(*cell.result.macro_auc - *b.result.macro_auc);
        }
      }
    }
    EXPECT_EQ(row.paired_folds(), static_cast<int>(differences.size()));
    StatusOr<PairedTest> expected = CorrectedResampledTTest(differences, 0.25);
    ASSERT_TRUE(expected.ok());
    ASSERT_TRUE(row.has_p_value());
    EXPECT_DOUBLE_EQ(row.p_value(), expected->p_value);
    EXPECT_DOUBLE_EQ(row.delta_ci95_low(), expected->ci95_low);
    EXPECT_DOUBLE_EQ(row.delta_ci95_high(), expected->ci95_high);
    raw_p.push_back(row.p_value());
  }
  EXPECT_EQ(out.rows(3).paired_folds(), 9) << "the fold without a result is not paired";
  const std::vector<double> holm = HolmAdjust(raw_p);
  for (int i = 1; i < 4; ++i) EXPECT_DOUBLE_EQ(out.rows(i).p_holm(), holm[i - 1]);
  EXPECT_EQ(out.rows(1).verdict(), "helps");
  EXPECT_EQ(out.rows(2).verdict(), "no evidence");
  EXPECT_LT(out.rows(1).p_holm(), 0.05);
  EXPECT_GE(out.rows(2).p_holm(), 0.05);
}

// One classifier, a baseline and generators over 2 repeats x 5 folds, each fold's AUC from
// `auc(generator, i)` (i = repeat * 5 + fold; nullopt: the job has no result).
SweepCells Grid(const std::vector<std::string>& generators,
                const std::function<std::optional<double>(const std::string&, int)>& auc) {
  SweepCells sweep;
  sweep.sweep_id = "sw";
  sweep.classifiers = {"c"};
  for (int r = 0; r < 2; ++r) {
    for (int f = 0; f < 5; ++f) {
      for (const std::string& g : generators) {
        CellOutcome cell;
        cell.classifier = "c";
        cell.generator = g;
        cell.temperature = g.empty() ? 0.0 : 0.7;
        cell.augment_count = g.empty() ? 0 : 10;
        cell.repeat = r;
        cell.fold = f;
        if (std::optional<double> a = auc(g, r * 5 + f)) cell.result = Done(a);
        sweep.cells.push_back(cell);
      }
    }
  }
  return sweep;
}

const double kNoise[10] = {0.004, -0.003, 0.002, -0.001, 0.003, -0.004, 0.001, -0.002, 0.0, 0.002};

// Per theme: the mean over the folds whose test part had both classes, the count of those folds,
// and the difference to the baseline's mean for the same theme.
TEST(AggregateResultsTest, PerThemeMeansCountOnlyFoldsWithBothClasses) {
  SweepCells sweep;
  sweep.sweep_id = "sw";
  sweep.classifiers = {"c"};
  sweep.themes = {"staffing", "pay"};
  // 3 folds; "pay" has no positive in fold 2's test part (its AUC is undefined there).
  const std::optional<double> base[3][2] = {{0.8, 0.6}, {0.7, 0.5}, {0.9, std::nullopt}};
  const std::optional<double> gen[3][2] = {{0.9, 0.7}, {0.8, 0.8}, {0.7, std::nullopt}};
  for (int f = 0; f < 3; ++f) {
    for (const std::string& g : {std::string(), std::string("g")}) {
      CellOutcome cell;
      cell.classifier = "c";
      cell.generator = g;
      cell.augment_count = g.empty() ? 0 : 10;
      cell.fold = f;
      cell.result = Done(0.7);
      const auto& theme = g.empty() ? base[f] : gen[f];
      cell.result.theme_aucs = {theme[0], theme[1]};
      sweep.cells.push_back(cell);
    }
  }
  const v1::GetResultsResponse out = AggregateResults(sweep);
  ASSERT_EQ(out.themes_size(), 2);
  EXPECT_EQ(out.themes(1), "pay");
  ASSERT_EQ(out.rows_size(), 2);
  const v1::ResultRow& b = out.rows(0);
  const v1::ResultRow& g = out.rows(1);
  ASSERT_EQ(b.per_theme_size(), 2);
  EXPECT_EQ(b.per_theme(0).folds(), 3);
  EXPECT_NEAR(b.per_theme(0).mean_auc(), 0.8, 1e-12);
  EXPECT_EQ(b.per_theme(1).folds(), 2);
  EXPECT_NEAR(b.per_theme(1).mean_auc(), 0.55, 1e-12);
  EXPECT_FALSE(b.per_theme(0).has_delta_vs_baseline());
  EXPECT_NEAR(g.per_theme(0).mean_auc(), 0.8, 1e-12);
  EXPECT_NEAR(g.per_theme(0).delta_vs_baseline(), 0.0, 1e-12);
  EXPECT_EQ(g.per_theme(1).folds(), 2);
  EXPECT_NEAR(g.per_theme(1).mean_auc(), 0.75, 1e-12);
  EXPECT_NEAR(g.per_theme(1).delta_vs_baseline(), 0.2, 1e-12);
  // Each fold lists the themes defined on it.
  ASSERT_EQ(g.fold_results_size(), 3);
  EXPECT_EQ(g.fold_results(2).per_theme_size(), 1);
  EXPECT_EQ(g.fold_results(2).per_theme(0).theme(), "staffing");
  EXPECT_DOUBLE_EQ(g.fold_results(2).per_theme(0).auc(), 0.7);
  EXPECT_DOUBLE_EQ(g.fold_results(2).baseline_auc(), 0.7);
}

// A failed job and one not run yet leave their folds out of the mean, each counted as what it
// is, and the fold rows say which.
TEST(AggregateResultsTest, FailedAndPendingFoldsAreCountedApart) {
  SweepCells sweep = Grid({"", "g"}, [](const std::string& g, int i) -> std::optional<double> {
    if (g == "g" && (i == 3 || i == 7)) return std::nullopt;
    return 0.7 + 0.01 * (i % 5);
  });
  for (CellOutcome& cell : sweep.cells) {
    if (cell.generator == "g" && cell.repeat == 0 && cell.fold == 3) cell.result.failed = true;
  }
  const v1::GetResultsResponse out = AggregateResults(sweep);
  EXPECT_FALSE(out.complete());
  const v1::ResultRow& g = out.rows(1);
  EXPECT_EQ(g.planned_folds(), 10);
  EXPECT_EQ(g.folds(), 8);
  EXPECT_EQ(g.failed_folds(), 1);
  EXPECT_EQ(g.pending_folds(), 1);
  EXPECT_EQ(g.paired_folds(), 8);
  ASSERT_EQ(g.fold_results_size(), 10);
  EXPECT_EQ(g.fold_results(3).state(), "failed");
  EXPECT_FALSE(g.fold_results(3).has_macro_auc());
  EXPECT_EQ(g.fold_results(7).state(), "pending");
  EXPECT_EQ(g.fold_results(0).state(), "ok");
  EXPECT_EQ(out.rows(0).failed_folds() + out.rows(0).pending_folds(), 0);
}

// Filters split one generator's cells into rows of their own, each paired with the same
// baseline; folds that trained on fewer than n texts are counted and marked.
TEST(AggregateResultsTest, EachFilterIsARowAndShortFoldsAreMarked) {
  SweepCells sweep = Grid({"", "g", "g"}, [](const std::string& g, int i) -> std::optional<double> {
    return g.empty() ? 0.7 + kNoise[i] : 0.75 + kNoise[(i + 3) % 10];
  });
  // The second "g" cell of each fold is the filtered one.
  bool second = false;
  for (CellOutcome& cell : sweep.cells) {
    if (cell.generator.empty()) continue;
    cell.filter = second ? "checked" : "none";
    if (second) cell.result.macro_auc = *cell.result.macro_auc - 0.02;
    if (second && cell.repeat == 1 && cell.fold < 2) cell.result.short_of_texts = true;
    second = !second;
  }
  const v1::GetResultsResponse out = AggregateResults(sweep);
  ASSERT_EQ(out.rows_size(), 3);
  EXPECT_EQ(out.rows(0).filter(), "");
  EXPECT_EQ(out.rows(1).filter(), "none");
  EXPECT_EQ(out.rows(2).filter(), "checked");
  EXPECT_EQ(out.rows(1).folds(), 10);
  EXPECT_EQ(out.rows(2).folds(), 10);
  EXPECT_NEAR(out.rows(1).mean_auc() - out.rows(2).mean_auc(), 0.02, 1e-12);
  EXPECT_NEAR(out.rows(2).delta_vs_baseline(), out.rows(2).mean_auc() - out.rows(0).mean_auc(),
              1e-12);
  EXPECT_EQ(out.rows(1).short_folds(), 0);
  EXPECT_EQ(out.rows(2).short_folds(), 2);
  EXPECT_TRUE(out.rows(2).fold_results(5).short_of_texts());
  EXPECT_FALSE(out.rows(2).fold_results(7).short_of_texts());
}

// The best row has the highest mean; a row its paired test cannot tell apart is tied with it, a
// clearly worse one is not, and a row of one fold cannot be best however high its mean.
TEST(AggregateResultsTest, BestRowAndTheRowsTiedWithIt) {
  const SweepCells sweep = Grid({"", "top", "close", "one-fold"},
                                [](const std::string& g, int i) -> std::optional<double> {
                                  const double base = 0.70 + 0.01 * (i % 5);
                                  if (g.empty()) return base;
                                  if (g == "top") return base + 0.05 + kNoise[i];
                                  if (g == "close") return base + 0.05 + kNoise[(i + 3) % 10];
                                  if (i == 0) return 0.99;
                                  return std::nullopt;
                                });
  const v1::GetResultsResponse out = AggregateResults(sweep);
  ASSERT_EQ(out.rows_size(), 4);
  ASSERT_TRUE(out.has_best_row());
  const int best = out.best_row();
  ASSERT_TRUE(out.rows(best).generator() == "top" || out.rows(best).generator() == "close");
  const int other = out.rows(best).generator() == "top" ? 2 : 1;
  EXPECT_FALSE(out.rows(best).tied_with_best());
  EXPECT_TRUE(out.rows(other).tied_with_best()) << "0.05 +- noise against 0.05 +- noise";
  EXPECT_FALSE(out.rows(0).tied_with_best()) << "the baseline is 0.05 below on every fold";
  EXPECT_EQ(out.rows(3).folds(), 1);
  EXPECT_FALSE(out.rows(3).tied_with_best()) << "one shared fold: no test";
  // The tie is the same test on the differences between the two rows.
  std::vector<double> differences;
  for (int i = 0; i < 10; ++i) {
    const double a = 0.05 + kNoise[(i + 3) % 10], b = 0.05 + kNoise[i];
    differences.push_back(out.rows(other).generator() == "close" ? a - b : b - a);
  }
  StatusOr<PairedTest> tie = CorrectedResampledTTest(differences, 0.25);
  ASSERT_TRUE(tie.ok());
  EXPECT_GE(tie->p_value, 0.05);
}

// --test wilcoxon: the p-values (and so Holm and the verdicts) from the signed-rank test on the
// same differences; the interval stays the corrected t interval.
TEST(AggregateResultsTest, WilcoxonGivesItsOwnPValueAndKeepsTheTInterval) {
  const SweepCells sweep =
      Grid({"", "up"}, [](const std::string& g, int i) -> std::optional<double> {
        const double base = 0.70 + 0.01 * (i % 5);
        return g.empty() ? base : base + 0.02 + 0.001 * i;  // no two the same
      });
  const v1::GetResultsResponse t = AggregateResults(sweep);
  const v1::GetResultsResponse w = AggregateResults(sweep, PairedTestKind::kWilcoxon);
  EXPECT_EQ(t.test(), "t");
  EXPECT_EQ(w.test(), "wilcoxon");
  std::vector<double> differences;  // computed as AggregateResults does, bit for bit
  for (int i = 0; i < 10; ++i) {
    const double base = 0.70 + 0.01 * (i % 5);
    differences.push_back((base + 0.02 + 0.001 * i) - base);
  }
  StatusOr<PairedTest> expected = WilcoxonSignedRank(differences);
  ASSERT_TRUE(expected.ok());
  // All 10 differences positive and distinct: the exact two-sided p is 2 / 2^10 (as
  // scipy.stats.wilcoxon gives).
  EXPECT_NEAR(expected->p_value, 2.0 / 1024.0, 1e-15);
  EXPECT_DOUBLE_EQ(w.rows(1).p_value(), expected->p_value);
  EXPECT_DOUBLE_EQ(w.rows(1).p_holm(), expected->p_value) << "one compared row";
  EXPECT_EQ(w.rows(1).verdict(), "helps");
  EXPECT_DOUBLE_EQ(w.rows(1).delta_ci95_low(), t.rows(1).delta_ci95_low());
  EXPECT_DOUBLE_EQ(w.rows(1).delta_ci95_high(), t.rows(1).delta_ci95_high());
  EXPECT_NE(w.rows(1).p_value(), t.rows(1).p_value());
}

TEST(ParsePairedTestKindTest, NamesAndErrors) {
  EXPECT_EQ(*ParsePairedTestKind(""), PairedTestKind::kCorrectedT);
  EXPECT_EQ(*ParsePairedTestKind("t"), PairedTestKind::kCorrectedT);
  EXPECT_EQ(*ParsePairedTestKind("wilcoxon"), PairedTestKind::kWilcoxon);
  StatusOr<PairedTestKind> bad = ParsePairedTestKind("anova");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "test: expected t or wilcoxon, got \"anova\"");
}

}  // namespace
}  // namespace augsweep
