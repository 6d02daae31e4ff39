#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"

namespace augsweep::cli {

int RunStatusCommand(const Args& args) {
  ReadSource source;
  FlagSet flags(
      "augsweep status [SWEEP] [--coordinator HOST:PORT | --data-dir DIR]",
      "Without SWEEP: one line per sweep. With SWEEP: its state (PENDING, RUNNING,\n"
      "SUCCEEDED, FAILED, CANCELLED), job counts per stage, workers, ETA and recent errors.");
  AddReadSourceFlags(flags, &source);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep status", &positional)) return *code;
  if (positional.size() > 1)
    return ReportError("status", InvalidArgumentError("expected at most one SWEEP"));
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source);
  if (!reader.ok()) return ReportError("status", reader.status());
  SweepReader& client = **reader;
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
