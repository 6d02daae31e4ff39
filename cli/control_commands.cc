// The small subcommands that act on a sweep or list workers: cancel, retry, workers.
#include <chrono>
#include <cstdio>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/sweep_client.h"
#include "common/cli_main.h"

namespace augsweep::cli {
namespace {

// Parses `SWEEP [--coordinator]` for the commands that take exactly one sweep id.
std::optional<int> ParseSweepCommand(const Args& args, const std::string& name,
                                     const std::string& description,
                                     CoordinatorConnection* coordinator, std::string* sweep_id) {
  FlagSet flags("augsweep " + name + " SWEEP [--coordinator HOST:PORT]", description);
  AddCoordinatorFlags(flags, coordinator);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep " + name, &positional)) return code;
  if (positional.size() != 1)
    return ReportError(name, InvalidArgumentError("expected one SWEEP id"));
  *sweep_id = positional[0];
  return std::nullopt;
}

}  // namespace

int RunCancelCommand(const Args& args) {
  CoordinatorConnection coordinator;
  std::string sweep_id;
  if (auto code = ParseSweepCommand(
          args, "cancel",
          "Cancels a sweep: its jobs that no other sweep shares are not run; running\n"
          "ones are stopped at their next heartbeat. Finished results are kept.",
          &coordinator, &sweep_id)) {
    return *code;
  }
  StatusOr<v1::CancelSweepResponse> r = ConnectToCoordinator(coordinator).Cancel(sweep_id);
  if (!r.ok()) return ReportError("cancel", r.status());
  std::printf("cancelled %s: %d jobs\n", sweep_id.c_str(), r->jobs_cancelled());
  return 0;
}

int RunRetryCommand(const Args& args) {
  CoordinatorConnection coordinator;
  std::string sweep_id;
  if (auto code = ParseSweepCommand(
          args, "retry",
          "Gives the FAILED jobs of a sweep (and the jobs they BLOCKED) a fresh set of\n"
          "attempts, e.g. after fixing a model folder.",
          &coordinator, &sweep_id)) {
    return *code;
  }
  StatusOr<v1::RetryFailedResponse> r = ConnectToCoordinator(coordinator).RetryFailed(sweep_id);
  if (!r.ok()) return ReportError("retry", r.status());
  std::printf("retrying %d jobs of %s\n", r->jobs_retried(), sweep_id.c_str());
  return 0;
}

int RunWorkersCommand(const Args& args) {
  CoordinatorConnection coordinator;
  FlagSet flags(
      "augsweep workers [--coordinator HOST:PORT]",
      "Lists the workers the coordinator has seen: id, device, seconds since last contact,\n"
      "current job.");
  AddCoordinatorFlags(flags, &coordinator);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep workers", &positional)) return *code;
  if (!positional.empty())
    return ReportError("workers", InvalidArgumentError("expected no arguments"));
  StatusOr<v1::ListWorkersResponse> r = ConnectToCoordinator(coordinator).ListWorkers();
  if (!r.ok()) return ReportError("workers", r.status());
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (r->workers().empty()) std::printf("no workers\n");
  for (const auto& w : r->workers()) {
    std::printf("%-40s %-5s %6llds ago  %s\n", w.worker_id().c_str(), w.device().c_str(),
                static_cast<long long>((now - w.last_seen_unix_ms()) / 1000),
                w.current_job().empty() ? "idle" : w.current_job().substr(0, 18).c_str());
  }
  return 0;
}

}  // namespace augsweep::cli
