#include <unistd.h>

#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/progress_view.h"
#include "cli/watch.h"
#include "common/cli_main.h"

namespace augsweep::cli {

int RunStatusCommand(const Args& args) {
  ReadSource source;
  bool watch = false;
  double interval = 2;
  FlagSet flags(
      "augsweep status [SWEEP] [--watch [--interval SECONDS]] [--coordinator HOST:PORT | "
      "--data-dir DIR]",
      "Without SWEEP: one line per sweep. With SWEEP: its state (PENDING, RUNNING,\n"
      "SUCCEEDED, FAILED, CANCELLED), job counts per stage, workers, ETA and recent errors.\n"
      "--watch follows it until it ends: progress bars per stage, jobs per minute, the ETA,\n"
      "the workers and what each runs, the first errors, redrawn on a terminal and one line\n"
      "per change otherwise; it exits 0 when the sweep SUCCEEDED, 1 FAILED, 3 CANCELLED.");
  flags.Bool("watch", &watch, "follow the sweep until it ends");
  flags.Double("interval", &interval, "seconds between polls with --watch (default 2)");
  AddReadSourceFlags(flags, &source);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep status", &positional)) return *code;
  if (positional.size() > 1)
    return ReportError("status", InvalidArgumentError("expected at most one SWEEP"));
  if (watch && positional.empty())
    return ReportError("status", InvalidArgumentError("--watch needs a SWEEP"));
  if (!(interval >= 0.1 && interval <= 3600))
    return ReportError("status", InvalidArgumentError("--interval: expected 0.1 to 3600 seconds"));
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source, /*polling=*/watch);
  if (!reader.ok()) return ReportError("status", reader.status());
  SweepReader& client = **reader;
  if (watch) {
    WatchOptions options;
    options.terminal = isatty(STDOUT_FILENO) != 0;
    options.interval_ms = static_cast<int>(interval * 1000);
    StatusOr<v1::SweepStatus> last = WatchSweep(client, positional[0], stdout, options);
    if (!last.ok()) return ReportError("status", last.status());
    return ExitCodeForFinalState(last->state());
  }
  if (positional.size() == 1) {
    StatusOr<v1::SweepStatus> status = client.GetStatus(positional[0]);
    if (!status.ok()) return ReportError("status", status.status());
    std::fputs(FormatSweepStatus(*status).c_str(), stdout);
    return 0;
  }
  StatusOr<v1::ListSweepsResponse> sweeps = client.ListSweeps();
  if (!sweeps.ok()) return ReportError("status", sweeps.status());
  if (sweeps->sweeps().empty()) std::printf("no sweeps\n");
  for (const auto& s : sweeps->sweeps()) {
    int finished = 0, total = 0;
    CountJobs(s, &finished, &total);
    std::printf("%-16s %-10s %5d/%-5d jobs  %s\n", s.sweep_id().c_str(),
                SweepStateName(s.state()).c_str(), finished, total, s.name().c_str());
  }
  return 0;
}

}  // namespace augsweep::cli
