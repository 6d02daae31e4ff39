// Following a sweep until it ends, for `augsweep status --watch` and `augsweep run`.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "augsweep/v1/sweep_service.pb.h"
#include "cli/sweep_reader.h"
#include "common/status.h"

namespace augsweep::cli {

struct WatchOptions {
  bool terminal = false;       // redraw the view in place; else a plain line per change
  int interval_ms = 1000;      // between polls
  std::function<bool()> stop;  // polled too: true ends the watch early (a signal)
};

// Polls the sweep's status (and the workers) through `reader` and draws the ProgressView to
// `out` until the sweep has ended or options.stop says so; returns the last status seen.
StatusOr<v1::SweepStatus> WatchSweep(SweepReader& reader, const std::string& sweep_id,
                                     std::FILE* out, const WatchOptions& options);

}  // namespace augsweep::cli
