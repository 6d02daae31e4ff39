// `augsweep tunables`: every tunable of common/tunables_def.h with this process's value (the
// default, or the AUGSWEEP_* environment variable that overrides it), its default and its doc.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"
#include "common/tunables.h"

namespace augsweep::cli {

int RunTunablesCommand(const Args& args) {
  FlagSet flags("augsweep tunables",
                "Lists augsweep's tunables: the environment variable that sets each, its value in\n"
                "this environment, its default, and what it does. Programs read them at start; a\n"
                "value that does not parse makes every program exit 2 naming the variable.");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep tunables", &positional)) return *code;
  if (!positional.empty())
    return ReportError("tunables", InvalidArgumentError("expected no arguments"));
  for (const TunableInfo& t : DescribeTunables()) {
    std::printf("%s=%s%s\n    %s\n", t.environment_variable.c_str(), t.value.c_str(),
                t.value == t.default_value ? "" : (" (default " + t.default_value + ")").c_str(),
                t.doc.c_str());
  }
  return 0;
}

}  // namespace augsweep::cli
