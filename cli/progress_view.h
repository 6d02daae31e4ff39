// The live view of a running sweep that `augsweep status --watch` and `augsweep run` draw: a
// progress bar per stage, jobs per minute, the ETA, the workers and what each runs, the first
// errors. Pure text from status snapshots (the caller fetches them and owns the terminal), so
// it is tested without a coordinator or a terminal.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

#include "augsweep/v1/sweep_service.pb.h"

namespace augsweep::cli {

class ProgressView {
 public:
  // Records a snapshot taken at now_ms (unix ms): the rate is over the snapshots of the last
  // minute, or since the first one when that is all there is.
  void Observe(const v1::SweepStatus& status, int64_t now_ms);

  // The multi-line frame of the latest snapshot (ends with a newline); `workers` may be empty
  // (a data directory has no live workers). At most `max_workers` worker lines and 3 errors.
  std::string Frame(const v1::ListWorkersResponse& workers, int max_workers = 8) const;

  // One line for a log or a pipe, or "" when neither the state nor any job count changed since
  // the last line it returned.
  std::string PlainLineIfChanged(int64_t now_ms);

  // Finished jobs per minute over the window; -1 until there are two snapshots.
  double JobsPerMinute() const;

 private:
  v1::SweepStatus latest_;
  std::deque<std::pair<int64_t, int>> samples_;  // (unix ms, finished jobs)
  std::string last_plain_key_;
};

// "1h02m", "3m05s", "42s"; "unknown" for a negative count.
std::string FormatDuration(int64_t seconds);

// The exit code of `status --watch` once the sweep ended: 0 SUCCEEDED, 1 FAILED, 3 CANCELLED.
int ExitCodeForFinalState(v1::SweepState state);

}  // namespace augsweep::cli
