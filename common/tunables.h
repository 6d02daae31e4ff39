// The process's tunables (the table is common/tunables_def.h): defaults, each overridden by the
// environment variable AUGSWEEP_<NAME> when it is set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct Tunables {
#define AUGSWEEP_TUNABLE(type, name, default_value, doc) type name = default_value;
#include "common/tunables_def.h"
#undef AUGSWEEP_TUNABLE
};

// The defaults with the environment's overrides; InvalidArgument naming the variable and what
// it expected when one does not parse (an integer that is not positive, a switch value not in
// its list). Programs call it once at start and exit 2 on an error.
StatusOr<Tunables> TunablesFromEnvironment();

// The process's tunables: TunablesFromEnvironment() on first use; the defaults, and a warning on
// stderr, if the environment is bad (a program that checked at start never sees that).
const Tunables& GetTunables();

struct TunableInfo {
  std::string name;
  std::string environment_variable;
  std::string value;  // this process's
  std::string default_value;
  std::string doc;
};
// Every tunable, in the table's order, for `augsweep tunables`.
std::vector<TunableInfo> DescribeTunables();

}  // namespace augsweep
