#include "coordinator/service/result_aggregation.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "common/metrics/paired_tests.h"
#include "common/metrics/summary_stats.h"

namespace augsweep {

v1::GetResultsResponse AggregateResults(const SweepCells& sweep) {
  using RowKey = std::tuple<std::string, std::string, double, int32_t>;  // classifier, gen, T, n
  using FoldKey = std::pair<int32_t, int32_t>;                           // repeat, fold
  // Each row's defined fold AUCs; the plan orders cells by repeat then fold, as FoldKey does.
  std::map<RowKey, std::map<FoldKey, double>> auc_by_fold;
  std::vector<RowKey> order;
  bool complete = true;
  int32_t folds_per_repeat = 0;
  for (const CellOutcome& cell : sweep.cells) {
    RowKey key{cell.classifier, cell.generator, cell.temperature, cell.augment_count};
    auto [it, inserted] = auc_by_fold.try_emplace(key);
    if (inserted) order.push_back(key);
    folds_per_repeat = std::max(folds_per_repeat, cell.fold + 1);
    const CellResult& result = cell.result;
    if (!result.has_result) {
      complete = false;
    } else if (result.macro_auc) {
      it->second[{cell.repeat, cell.fold}] = *result.macro_auc;
    }
  }
  // k-fold CV trains on k-1 folds and tests on one: n_test / n_train = 1 / (k - 1).
  const double test_train_ratio = folds_per_repeat > 1 ? 1.0 / (folds_per_repeat - 1) : 1.0;
  std::map<std::string, RowKey> baseline_of;  // classifier -> its baseline row
  // The compared rows (index into out.rows) and their mean paired difference, for Holm.
  std::vector<std::pair<int, double>> compared;
  v1::GetResultsResponse out;
  out.set_sweep_id(sweep.sweep_id);
  out.set_complete(complete);
  std::map<std::string, double> baseline_mean;
  auto fill = [&](const RowKey& key) {
    const auto& [classifier, generator, temperature, n] = key;
    std::vector<double> aucs;
    for (const auto& [fold, auc] : auc_by_fold[key]) aucs.push_back(auc);
    v1::ResultRow* row = out.add_rows();
    row->set_classifier(classifier);
    row->set_generator(generator);
    row->set_temperature(temperature);
    row->set_augment_count(n);
    row->set_folds(static_cast<int32_t>(aucs.size()));
    for (double a : aucs) row->add_fold_aucs(a);
    StatusOr<Summary> summary = Summarize(aucs);
    if (!summary.ok()) return;  // no fold yet: the row shows 0 folds
    row->set_mean_auc(summary->mean);
    row->set_sd_auc(summary->sd);
    row->set_ci95_low(summary->ci95_low);
    row->set_ci95_high(summary->ci95_high);
    if (generator.empty()) {
      baseline_mean[classifier] = summary->mean;
      baseline_of[classifier] = key;
    } else if (baseline_mean.count(classifier)) {
      row->set_delta_vs_baseline(summary->mean - baseline_mean[classifier]);
      // Paired on the folds where both have an AUC.
      std::vector<double> differences;
      const auto& base = auc_by_fold[baseline_of[classifier]];
      for (const auto& [fold, auc] : auc_by_fold[key]) {
        if (auto b = base.find(fold); b != base.end()) differences.push_back(auc - b->second);
      }
      row->set_paired_folds(static_cast<int32_t>(differences.size()));
      StatusOr<PairedTest> test = CorrectedResampledTTest(differences, test_train_ratio);
      if (test.ok()) {
        row->set_delta_ci95_low(test->ci95_low);
        row->set_delta_ci95_high(test->ci95_high);
        row->set_p_value(test->p_value);
        compared.emplace_back(out.rows_size() - 1, test->mean_difference);
      }
    }
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
  return out;
}

}  // namespace augsweep
