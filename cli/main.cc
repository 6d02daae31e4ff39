// augsweep: the command users run. One subcommand per file; this file only dispatches.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/plan_command.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

constexpr Command kCommands[] = {
    {"plan", "validate a sweep spec and its dataset, print the jobs it would run",
     augsweep::cli::RunPlanCommand},
};

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: augsweep COMMAND [ARGS]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'augsweep COMMAND --help' describes a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? augsweep::cli::kExitBadInput : augsweep::cli::kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (argv[1] == std::string(c.name)) return c.run(args);
  }
  std::fprintf(stderr, "augsweep: unknown command \"%s\"\n", argv[1]);
  PrintUsage(stderr);
  return augsweep::cli::kExitBadInput;
}
