// What every augsweep program does with its flags: --help prints the help and exits 0, a bad
// flag -- or a bad AUGSWEEP_* tunable in the environment (common/tunables.h) -- prints one
// actionable line and exits 2 (bad input).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/cli_flags.h"
#include "common/exit_codes.h"
#include "common/tunables.h"

namespace augsweep {

// Returns the exit code to return now, or nullopt to go on with `*positional` filled in.
inline std::optional<int> ParseFlagsOrExit(FlagSet& flags, const std::vector<std::string>& args,
                                           const std::string& program,
                                           std::vector<std::string>* positional) {
  StatusOr<std::vector<std::string>> parsed = flags.Parse(args);
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s: %s (see %s --help)\n", program.c_str(),
                 parsed.status().message().c_str(), program.c_str());
    return 2;
  }
  if (StatusOr<Tunables> tunables = TunablesFromEnvironment(); !tunables.ok()) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), tunables.status().message().c_str());
    return 2;
  }
  *positional = std::move(parsed).value();
  return std::nullopt;
}

// Prints "PROGRAM: MESSAGE" as one line on stderr (newlines in the message become spaces: one
// line a person can act on) and returns the exit code for the status.
inline int ReportCommandError(const std::string& program, const Status& status) {
  std::string message = status.message();
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  std::fprintf(stderr, "%s: %s\n", program.c_str(), message.c_str());
  return ExitCodeFor(status);
}

}  // namespace augsweep
