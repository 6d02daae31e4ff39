#include "coordinator/service/result_aggregation.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "common/metrics/paired_tests.h"
#include "common/metrics/summary_stats.h"

namespace augsweep {
namespace {

// classifier, generator, temperature, filter, n
using RowKey = std::tuple<std::string, std::string, double, std::string, int32_t>;
using FoldKey = std::pair<int32_t, int32_t>;  // repeat, fold

// One row's cells and what they produced.
struct RowData {
  std::vector<const CellOutcome*> cells;    // in plan order
  std::map<FoldKey, double> macro_by_fold;  // the defined macro AUCs
  std::optional<RowKey> baseline;           // the classifier's baseline row, if any
};

// `a` minus `b` on the folds both have.
std::vector<double> PairedDifferences(const std::map<FoldKey, double>& a,
                                      const std::map<FoldKey, double>& b) {
  std::vector<double> out;
  for (const auto& [fold, auc] : a) {
    if (auto other = b.find(fold); other != b.end()) out.push_back(auc - other->second);
  }
  return out;
}

// The corrected interval always; the p-value from `kind`.
StatusOr<PairedTest> RunPairedTest(const std::vector<double>& differences, double ratio,
                                   PairedTestKind kind) {
  AUGSWEEP_ASSIGN_OR_RETURN(PairedTest t, CorrectedResampledTTest(differences, ratio));
  if (kind == PairedTestKind::kWilcoxon) {
    AUGSWEEP_ASSIGN_OR_RETURN(PairedTest w, WilcoxonSignedRank(differences));
    t.statistic = w.statistic;
    t.p_value = w.p_value;
  }
  return t;
}

void FillFolds(const RowData& data, const std::map<FoldKey, double>* baseline,
               const std::vector<std::string>& themes, v1::ResultRow* row) {
  row->set_planned_folds(static_cast<int32_t>(data.cells.size()));
  for (const CellOutcome* cell : data.cells) {
    v1::FoldResult* fold = row->add_fold_results();
    fold->set_repeat(cell->repeat);
    fold->set_fold(cell->fold);
    if (baseline) {
      if (auto b = baseline->find({cell->repeat, cell->fold}); b != baseline->end())
        fold->set_baseline_auc(b->second);
    }
    const CellResult& result = cell->result;
    if (result.short_of_texts) {
      row->set_short_folds(row->short_folds() + 1);
      fold->set_short_of_texts(true);
    }
    if (!result.has_result) {
      fold->set_state(result.failed ? "failed" : "pending");
      result.failed ? row->set_failed_folds(row->failed_folds() + 1)
                    : row->set_pending_folds(row->pending_folds() + 1);
      continue;
    }
    fold->set_state(result.macro_auc ? "ok" : "undefined");
    if (result.macro_auc) fold->set_macro_auc(*result.macro_auc);
    for (size_t t = 0; t < themes.size() && t < result.theme_aucs.size(); ++t) {
      if (!result.theme_aucs[t]) continue;
      v1::ThemeFoldAuc* theme = fold->add_per_theme();
      theme->set_theme(themes[t]);
      theme->set_auc(*result.theme_aucs[t]);
    }
  }
}

void FillThemes(const RowData& data, const std::vector<std::string>& themes,
                const v1::ResultRow* baseline_row, v1::ResultRow* row) {
  for (size_t t = 0; t < themes.size(); ++t) {
    v1::ThemeResult* theme = row->add_per_theme();
    theme->set_theme(themes[t]);
    double sum = 0;
    int folds = 0;
    for (const CellOutcome* cell : data.cells) {
      const auto& aucs = cell->result.theme_aucs;
      if (t < aucs.size() && aucs[t]) {
        sum += *aucs[t];
        ++folds;
      }
    }
    theme->set_folds(folds);
    if (folds == 0) continue;
    theme->set_mean_auc(sum / folds);
    if (baseline_row && baseline_row->per_theme(static_cast<int>(t)).has_mean_auc())
      theme->set_delta_vs_baseline(theme->mean_auc() -
                                   baseline_row->per_theme(static_cast<int>(t)).mean_auc());
  }
}

}  // namespace

StatusOr<PairedTestKind> ParsePairedTestKind(std::string_view name) {
  if (name.empty() || name == "t") return PairedTestKind::kCorrectedT;
  if (name == "wilcoxon") return PairedTestKind::kWilcoxon;
  return InvalidArgumentError("test: expected t or wilcoxon, got \"" + std::string(name) + "\"");
}

const char* PairedTestName(PairedTestKind kind) {
  return kind == PairedTestKind::kWilcoxon ? "wilcoxon" : "t";
}

v1::GetResultsResponse AggregateResults(const SweepCells& sweep, PairedTestKind test) {
  std::map<RowKey, RowData> rows;
  std::vector<RowKey> order;
  bool complete = true;
  int32_t folds_per_repeat = 0;
  for (const CellOutcome& cell : sweep.cells) {
    RowKey key{cell.classifier, cell.generator, cell.temperature, cell.filter, cell.augment_count};
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.cells.push_back(&cell);
    folds_per_repeat = std::max(folds_per_repeat, cell.fold + 1);
    if (!cell.result.has_result) {
      complete = false;
    } else if (cell.result.macro_auc) {
      it->second.macro_by_fold[{cell.repeat, cell.fold}] = *cell.result.macro_auc;
    }
  }
  // k-fold CV trains on k-1 folds and tests on one: n_test / n_train = 1 / (k - 1).
  const double test_train_ratio = folds_per_repeat > 1 ? 1.0 / (folds_per_repeat - 1) : 1.0;

  v1::GetResultsResponse out;
  out.set_sweep_id(sweep.sweep_id);
  out.set_complete(complete);
  out.set_test(PairedTestName(test));
  for (const std::string& theme : sweep.themes) out.add_themes(theme);
  std::vector<const RowData*> row_data;  // parallel to out.rows
  // The compared rows (index into out.rows) and their mean paired difference, for Holm.
  std::vector<std::pair<int, double>> compared;
  std::map<std::string, int> baseline_index;  // classifier -> its baseline's row
  auto fill = [&](const RowKey& key) {
    const auto& [classifier, generator, temperature, filter, n] = key;
    const RowData& data = rows[key];
    const v1::ResultRow* baseline_row = nullptr;
    const std::map<FoldKey, double>* baseline_folds = nullptr;
    if (!generator.empty()) {
      if (auto b = baseline_index.find(classifier); b != baseline_index.end()) {
        baseline_row = &out.rows(b->second);
        baseline_folds = &row_data[static_cast<size_t>(b->second)]->macro_by_fold;
      }
    }
    v1::ResultRow* row = out.add_rows();
    row_data.push_back(&data);
    if (generator.empty()) baseline_index[classifier] = out.rows_size() - 1;
    row->set_classifier(classifier);
    row->set_generator(generator);
    row->set_temperature(temperature);
    row->set_filter(filter);
    row->set_augment_count(n);
    std::vector<double> aucs;
    for (const auto& [fold, auc] : data.macro_by_fold) aucs.push_back(auc);
    row->set_folds(static_cast<int32_t>(aucs.size()));
    for (double a : aucs) row->add_fold_aucs(a);
    FillFolds(data, baseline_folds, sweep.themes, row);
    FillThemes(data, sweep.themes, baseline_row, row);
    StatusOr<Summary> summary = Summarize(aucs);
    if (!summary.ok()) return;  // no fold yet: the row shows 0 folds
    row->set_mean_auc(summary->mean);
    row->set_sd_auc(summary->sd);
    row->set_ci95_low(summary->ci95_low);
    row->set_ci95_high(summary->ci95_high);
    if (!baseline_row || baseline_row->folds() == 0) return;
    row->set_delta_vs_baseline(summary->mean - baseline_row->mean_auc());
    // Paired on the folds where both have an AUC.
    const std::vector<double> differences = PairedDifferences(data.macro_by_fold, *baseline_folds);
    row->set_paired_folds(static_cast<int32_t>(differences.size()));
    StatusOr<PairedTest> paired = RunPairedTest(differences, test_train_ratio, test);
    if (!paired.ok()) return;
    row->set_delta_ci95_low(paired->ci95_low);
    row->set_delta_ci95_high(paired->ci95_high);
    row->set_p_value(paired->p_value);
    compared.emplace_back(out.rows_size() - 1, paired->mean_difference);
  };
  // Baselines first within each classifier, so every other row can be compared with its own.
  for (const std::string& classifier : sweep.classifiers) {
    for (const RowKey& key : order) {
      if (std::get<0>(key) == classifier && std::get<1>(key).empty()) fill(key);
    }
    for (const RowKey& key : order) {
      if (std::get<0>(key) == classifier && !std::get<1>(key).empty()) fill(key);
    }
  }
  // Holm's correction over every compared row: a sweep tests many cells at once.
  std::vector<double> p_values;
  for (const auto& [index, mean_difference] : compared)
    p_values.push_back(out.rows(index).p_value());
  const std::vector<double> adjusted = HolmAdjust(p_values);
  for (size_t i = 0; i < compared.size(); ++i) {
    const auto& [index, mean_difference] = compared[i];
    v1::ResultRow& row = *out.mutable_rows(index);
    row.set_p_holm(adjusted[i]);
    row.set_verdict(adjusted[i] >= 0.05 ? "no evidence" : mean_difference > 0 ? "helps" : "hurts");
  }
  // The best row, and the rows its own paired test cannot tell apart from it.
  int best = -1;
  for (int i = 0; i < out.rows_size(); ++i) {
    if (out.rows(i).folds() >= 2 &&
        (best < 0 || out.rows(i).mean_auc() > out.rows(best).mean_auc()))
      best = i;
  }
  if (best < 0) return out;
  out.set_best_row(best);
  const auto& best_folds = row_data[static_cast<size_t>(best)]->macro_by_fold;
  for (int i = 0; i < out.rows_size(); ++i) {
    if (i == best) continue;
    const std::vector<double> differences =
        PairedDifferences(row_data[static_cast<size_t>(i)]->macro_by_fold, best_folds);
    StatusOr<PairedTest> paired = RunPairedTest(differences, test_train_ratio, test);
    if (paired.ok() && paired->p_value >= 0.05) out.mutable_rows(i)->set_tied_with_best(true);
  }
  return out;
}

}  // namespace augsweep
