#include "cli/watch.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/progress_view.h"
#include "cli/sweep_state.h"

namespace augsweep::cli {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StatusOr<v1::SweepStatus> WatchSweep(SweepReader& reader, const std::string& sweep_id,
                                     std::FILE* out, const WatchOptions& options) {
  ProgressView view;
  int drawn_lines = 0;  // of the frame on screen, to redraw over it
  while (true) {
    AUGSWEEP_ASSIGN_OR_RETURN(v1::SweepStatus status, reader.GetStatus(sweep_id));
    const int64_t now = NowMs();
    view.Observe(status, now);
    if (options.terminal) {
      // Workers are shown, not needed: a failed listing leaves them out of this frame.
      StatusOr<v1::ListWorkersResponse> workers = reader.ListWorkers();
      const std::string frame = view.Frame(workers.ok() ? *workers : v1::ListWorkersResponse());
      // Up to the first line of the previous frame, clear from there down, draw.
      if (drawn_lines > 0) std::fprintf(out, "\x1b[%dF\x1b[J", drawn_lines);
      std::fputs(frame.c_str(), out);
      drawn_lines = static_cast<int>(std::count(frame.begin(), frame.end(), '\n'));
    } else {
      std::fputs(view.PlainLineIfChanged(now).c_str(), out);
    }
    std::fflush(out);
    if (IsFinished(status.state())) return status;
    // Sleep in short steps so that a stop request is seen quickly.
    for (int waited = 0; waited < options.interval_ms; waited += 100) {
      if (options.stop && options.stop()) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace augsweep::cli
