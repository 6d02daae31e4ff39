// What every augsweep program does with its flags: --help prints the help and exits 0, a bad
// flag prints one actionable line and exits 2 (bad input).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/cli_flags.h"

namespace augsweep {

// Returns the exit code to return now, or nullopt to go on with `*positional` filled in.
inline std::optional<int> ParseFlagsOrExit(FlagSet& flags, const std::vector<std::string>& args,
                                           const std::string& program, std::vector<std::string>* positional) {
  StatusOr<std::vector<std::string>> parsed = flags.Parse(args);
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s: %s (see %s --help)\n", program.c_str(), parsed.status().message().c_str(),
                 program.c_str());
    return 2;
  }
  *positional = std::move(parsed).value();
  return std::nullopt;
}

}  // namespace augsweep
