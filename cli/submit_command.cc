#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/sweep_client.h"
#include "common/cli_main.h"
#include "common/read_file.h"

namespace augsweep::cli {

int RunSubmitCommand(const Args& args) {
  CoordinatorConnection coordinator;
  FlagSet flags(
      "augsweep submit SPEC [--coordinator HOST:PORT]",
      "Uploads a sweep spec and its dataset to the coordinator. The coordinator validates\n"
      "both before it stores anything. Prints the sweep id alone on the last line of stdout.");
  AddCoordinatorFlags(flags, &coordinator);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep submit", &positional)) return *code;
  if (positional.size() != 1)
    return ReportError("submit", InvalidArgumentError("expected one SPEC file (see --help)"));

  StatusOr<ParsedSpec> spec = LoadSweepSpec(positional[0]);
  if (!spec.ok()) return ReportError("submit", spec.status());
  StatusOr<std::string> yaml = ReadWholeFile(positional[0]);
  if (!yaml.ok()) return ReportError("submit", yaml.status());
  StatusOr<std::string> dataset = ReadWholeFile(spec->spec.dataset().path());
  if (!dataset.ok()) return ReportError("submit", dataset.status());
  for (const auto& w : spec->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  SweepClient client = ConnectToCoordinator(coordinator);
  StatusOr<v1::SubmitSweepResponse> response = client.Submit(*spec, *yaml, *dataset);
  if (!response.ok()) return ReportError("submit", response.status());
  for (const auto& w : response->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::fprintf(stderr, "submitted %s: %d grid cells -> %d unique jobs, %d already done\n",
               spec->spec.name().c_str(), response->naive_cells(), response->unique_jobs(),
               response->jobs_already_done());
  std::printf("%s\n", response->sweep_id().c_str());
  return 0;
}

}  // namespace augsweep::cli
