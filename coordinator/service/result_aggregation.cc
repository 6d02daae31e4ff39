#include "coordinator/service/result_aggregation.h"

#include <map>
#include <tuple>
#include <vector>

#include "common/metrics/summary_stats.h"

namespace augsweep {

v1::GetResultsResponse AggregateResults(const SweepCells& sweep) {
  using RowKey = std::tuple<std::string, std::string, double, int32_t>;  // classifier, gen, T, n
  std::map<RowKey, std::vector<double>> fold_aucs;
  std::vector<RowKey> order;
  bool complete = true;
  for (const CellOutcome& cell : sweep.cells) {
    RowKey key{cell.classifier, cell.generator, cell.temperature, cell.augment_count};
    auto [it, inserted] = fold_aucs.try_emplace(key);
    if (inserted) order.push_back(key);
    const CellResult& result = cell.result;
    if (!result.has_result) {
      complete = false;
    } else if (result.macro_auc) {
      it->second.push_back(*result.macro_auc);
    }
  }
  v1::GetResultsResponse out;
  out.set_sweep_id(sweep.sweep_id);
  out.set_complete(complete);
  std::map<std::string, double> baseline_mean;
  auto fill = [&](const RowKey& key) {
    const auto& [classifier, generator, temperature, n] = key;
    const std::vector<double>& aucs = fold_aucs[key];
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
    } else if (baseline_mean.count(classifier)) {
      row->set_delta_vs_baseline(summary->mean - baseline_mean[classifier]);
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
  return out;
}

}  // namespace augsweep
