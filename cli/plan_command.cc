#include <cstdio>
#include <string>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"
#include "common/read_file.h"
#include "coordinator/planner/prepare_sweep.h"

namespace augsweep::cli {
namespace {

// How each theme's positives fall on the test folds of a repeat: the stratification at a glance.
void PrintFoldBalance(const PreparedSweep& sweep) {
  const FoldSplit& split = sweep.splits.front();
  const auto& themes = sweep.dataset.themes;
  std::vector<std::vector<int>> per_fold(themes.size(), std::vector<int>(split.num_folds, 0));
  std::vector<int> fold_sizes(split.num_folds, 0);
  for (size_t i = 0; i < sweep.dataset.examples.size(); ++i) {
    const int f = split.fold_of_example[i];
    ++fold_sizes[f];
    for (int t : sweep.dataset.examples[i].labels) ++per_fold[t][f];
  }
  size_t width = 8;
  for (const auto& t : themes) width = std::max(width, t.size() + 2);
  std::printf("  %-*s positives per test fold (repeat 0)\n", static_cast<int>(width), "theme");
  for (size_t t = 0; t < themes.size(); ++t) {
    std::printf("  %-*s", static_cast<int>(width), themes[t].c_str());
    for (int n : per_fold[t]) std::printf(" %3d", n);
    std::printf("\n");
  }
  std::printf("  %-*s", static_cast<int>(width), "(size)");
  for (int n : fold_sizes) std::printf(" %3d", n);
  std::printf("\n");
}

}  // namespace

int RunPlanCommand(const Args& args) {
  FlagSet flags(
      "augsweep plan SPEC",
      "Validates the sweep spec and its dataset, splits the folds and prints the jobs the\n"
      "sweep would run (grid cells, unique jobs after sharing). Nothing is run or stored.");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep plan", &positional)) return *code;
  auto fail = [](const Status& s) { return ReportError("plan", s); };
  if (positional.size() != 1)
    return fail(InvalidArgumentError("expected one SPEC file (see --help)"));
  StatusOr<ParsedSpec> parsed = LoadSweepSpec(positional[0]);
  if (!parsed.ok()) return fail(parsed.status());
  StatusOr<std::string> bytes = ReadWholeFile(parsed->spec.dataset().path());
  if (!bytes.ok()) return fail(bytes.status());
  StatusOr<PreparedSweep> sweep = PrepareSweep(std::move(parsed).value(), *bytes);
  if (!sweep.ok()) return fail(sweep.status());

  const v1::SweepSpec& spec = sweep->parsed.spec;
  for (const auto& w : sweep->parsed.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("sweep %s (%s)\n", spec.name().c_str(), spec.spec_path().c_str());
  std::printf("dataset: %zu examples, %zu themes, fingerprint %.12s\n",
              sweep->dataset.examples.size(), sweep->dataset.themes.size(),
              sweep->dataset_fingerprint.c_str());
  std::printf("cv: %d folds x %d repeat(s), seed %llu\n", spec.cv().folds(), spec.cv().repeats(),
              static_cast<unsigned long long>(spec.cv().seed()));
  PrintFoldBalance(*sweep);
  const std::string filters =
      spec.filters_size() > 0 ? " x " + std::to_string(spec.filters_size()) + " filter(s)" : "";
  std::printf(
      "grid: %d generator(s) x %d temperature(s)%s x %d augment count(s) x %d classifier(s)\n",
      spec.generators_size(), spec.temperatures_size(), filters.c_str(), spec.augment_counts_size(),
      spec.classifiers_size());
  std::printf("plan: %s\n", sweep->plan.Summary().c_str());
  return 0;
}

}  // namespace augsweep::cli
