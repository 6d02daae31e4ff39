#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/result_table.h"
#include "cli/sweep_client.h"
#include "common/cli_main.h"

namespace augsweep::cli {

int RunResultsCommand(const Args& args) {
  CoordinatorConnection coordinator;
  std::string format = "table";
  FlagSet flags(
      "augsweep results SWEEP [--format table|csv|json|markdown] [--coordinator HOST:PORT]",
      "One row per (generator, temperature, augment count, classifier): mean macro AUC over\n"
      "the folds, SD, 95% CI, the number of folds, and the difference to the classifier's\n"
      "baseline row (n = 0). Works while the sweep runs; the table then says it is partial.");
  flags.String("format", &format, "table, csv, json or markdown");
  AddCoordinatorFlags(flags, &coordinator);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep results", &positional)) return *code;
  if (positional.size() != 1)
    return ReportError("results", InvalidArgumentError("expected one SWEEP id"));
  StatusOr<TableFormat> table_format = ParseTableFormat(format);
  if (!table_format.ok()) return ReportError("results", table_format.status());
  SweepClient client = ConnectToCoordinator(coordinator);
  StatusOr<v1::GetResultsResponse> results = client.GetResults(positional[0]);
  if (!results.ok()) return ReportError("results", results.status());
  std::fputs(FormatResults(*results, *table_format).c_str(), stdout);
  return 0;
}

}  // namespace augsweep::cli
