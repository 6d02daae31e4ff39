// The exit codes of augsweep and its tools (augsweep-golden-check): 0 success, 2 bad input (a
// spec, a dataset, a flag: the user can fix it), 1 anything else. Scripts and Slurm jobs branch
// on them.
#pragma once

#include "common/status.h"

namespace augsweep {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

}  // namespace augsweep
