#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/result_table.h"
#include "common/cli_main.h"

namespace augsweep::cli {

int RunResultsCommand(const Args& args) {
  ReadSource source;
  std::string format = "table", test = "t";
  ResultView view;
  FlagSet flags(
      "augsweep results SWEEP [--format table|csv|json|markdown] [--per-theme] [--folds]\n"
      "                       [--sort KEY] [--group-by KEY] [--test t|wilcoxon]\n"
      "                       [--coordinator HOST:PORT | --data-dir DIR]",
      "One row per (generator, temperature, augment count, classifier): mean macro AUC over\n"
      "the folds, SD and 95% CI; against the classifier's baseline row (n = 0) on the same\n"
      "folds the difference, its corrected 95% interval, the paired test's p-value Holm-\n"
      "adjusted over the sweep, and a verdict (helps, hurts, no evidence). The best row and\n"
      "the rows tied with it are marked, and rows missing folds (failed, pending) say so, as do\n"
      "rows that trained on fewer than n synthetic texts of a theme (\"short of n\").\n"
      "Works while the sweep runs; the table then says it is partial.");
  flags.String("format", &format, "table, csv, json or markdown");
  flags.Bool("per-theme", &view.per_theme, "a column per theme: its mean AUC and gain");
  flags.Bool("folds", &view.folds, "one row per cell and fold");
  flags.String(
      "sort", &view.sort,
      "auc, delta, p, generator, temperature, n, filter or classifier (default: the grid)");
  flags.String("group-by", &view.group_by, "generator, temperature, n, filter or classifier");
  flags.String("test", &test,
               "paired test: t (corrected resampled t-test, default) or wilcoxon (signed-rank)");
  AddReadSourceFlags(flags, &source);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep results", &positional)) return *code;
  if (positional.size() != 1)
    return ReportError("results", InvalidArgumentError("expected one SWEEP id"));
  StatusOr<TableFormat> table_format = ParseTableFormat(format);
  if (!table_format.ok()) return ReportError("results", table_format.status());
  if (Status valid = ValidateResultView(view); !valid.ok()) return ReportError("results", valid);
  if (test != "t" && test != "wilcoxon")
    return ReportError(
        "results", InvalidArgumentError("--test: expected t or wilcoxon, got \"" + test + "\""));
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source);
  if (!reader.ok()) return ReportError("results", reader.status());
  v1::GetResultsRequest request;
  request.set_sweep_id(positional[0]);
  request.set_test(test);
  StatusOr<v1::GetResultsResponse> results = (*reader)->GetResults(request);
  if (!results.ok()) return ReportError("results", results.status());
  std::fputs(FormatResults(*results, *table_format, view).c_str(), stdout);
  return 0;
}

}  // namespace augsweep::cli
