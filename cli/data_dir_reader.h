// `--data-dir DIR`: the read commands answered straight from a coordinator's data directory,
// its store opened read-only (no lock taken, so a running coordinator may hold it; the answers
// are what was committed when it was opened). The same SweepQueries as the coordinator's
// service, so the output is the same as through one; there are no live workers to report.
#pragma once

#include <memory>
#include <string>

#include "cli/sweep_reader.h"
#include "common/status.h"

namespace augsweep::cli {

// NotFound when DIR holds no store; FailedPrecondition when it is not an augsweep store. With
// `reopen_per_call` every call opens the store again, so a reader that polls (status --watch)
// follows a coordinator that is still writing it.
StatusOr<std::unique_ptr<SweepReader>> OpenDataDirReader(const std::string& data_dir,
                                                         bool reopen_per_call = false);

}  // namespace augsweep::cli
