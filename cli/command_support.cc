#include "cli/command_support.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/cli_main.h"

namespace augsweep::cli {

std::string DefaultCoordinator() {
  const char* env = std::getenv("AUGSWEEP_COORDINATOR");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:7070";
}

int ReportError(const std::string& command, const Status& status) {
  return ReportCommandError("augsweep " + command, status);
}

std::string SweepStateName(v1::SweepState state) {
  std::string name = v1::SweepState_Name(state);
  const std::string prefix = "SWEEP_STATE_";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

bool IsFinished(v1::SweepState state) {
  return state == v1::SWEEP_STATE_SUCCEEDED || state == v1::SWEEP_STATE_FAILED ||
         state == v1::SWEEP_STATE_CANCELLED;
}

void CountJobs(const v1::SweepStatus& status, int* finished, int* total) {
  *finished = 0;
  *total = 0;
  for (const auto& s : status.stages()) {
    *finished += s.succeeded() + s.failed() + s.blocked() + s.cancelled();
    *total += s.waiting() + s.ready() + s.leased() + s.succeeded() + s.failed() + s.blocked() +
              s.cancelled();
  }
}

std::string FormatSweepStatus(const v1::SweepStatus& status) {
  std::ostringstream out;
  out << "sweep " << status.sweep_id() << " (" << status.name()
      << "): " << SweepStateName(status.state()) << "\n";
  char line[256];
  std::snprintf(line, sizeof(line), "  %-11s %8s %8s %8s %8s %8s %8s %9s\n", "stage", "waiting",
                "ready", "leased", "done", "failed", "blocked", "cancelled");
  out << line;
  for (const auto& s : status.stages()) {
    std::snprintf(line, sizeof(line), "  %-11s %8d %8d %8d %8d %8d %8d %9d\n", s.stage().c_str(),
                  s.waiting(), s.ready(), s.leased(), s.succeeded(), s.failed(), s.blocked(),
                  s.cancelled());
    out << line;
  }
  out << "  workers: " << status.active_workers() << "   eta: ";
  if (status.eta_seconds() < 0) {
    out << "unknown";
  } else {
    out << status.eta_seconds() / 60 << "m" << status.eta_seconds() % 60 << "s";
  }
  out << "\n";
  for (const auto& e : status.recent_errors()) out << "  error: " << e << "\n";
  return out.str();
}

}  // namespace augsweep::cli
