// `augsweep events [SWEEP]`: the coordinator's history, one line per transition (submitted,
// leased, succeeded, failed, given back, expired, cancelled, retried), oldest first.
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "common/cli_main.h"

namespace augsweep::cli {
namespace {

// "2026-12-06T18:41:07.250Z".
std::string UtcTime(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", text, static_cast<int>(unix_ms % 1000));
  return out;
}

}  // namespace

int RunEventsCommand(const Args& args) {
  ReadSource source;
  int64_t after = 0, limit = 0;
  FlagSet flags(
      "augsweep events [SWEEP] [--after N] [--limit N] [--coordinator HOST:PORT | "
      "--data-dir DIR]",
      "Prints the coordinator's history, one line per transition, oldest first: event\n"
      "number, time (UTC), what happened. With SWEEP only that sweep's events (a job\n"
      "shared by several sweeps shows in each). --after N continues after event N, so a\n"
      "script can follow a sweep; the last line says where to continue.");
  AddReadSourceFlags(flags, &source);
  flags.Int("after", &after, "only events numbered above N");
  flags.Int("limit", &limit, "at most N events (default 1000, at most 10000)");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep events", &positional)) return *code;
  if (positional.size() > 1 || after < 0 || limit < 0) {
    return ReportError(
        "events",
        InvalidArgumentError("expected at most one SWEEP id, --after >= 0 and --limit >= 0"));
  }
  v1::ListEventsRequest request;
  if (!positional.empty()) request.set_sweep_id(positional[0]);
  request.set_after_sequence(static_cast<uint64_t>(after));
  request.set_limit(static_cast<int32_t>(std::min<int64_t>(limit, 1'000'000)));
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source);
  if (!reader.ok()) return ReportError("events", reader.status());
  StatusOr<v1::ListEventsResponse> events = (*reader)->ListEvents(request);
  if (!events.ok()) return ReportError("events", events.status());
  uint64_t last_shown = request.after_sequence();
  for (const v1::Event& e : events->events()) {
    std::printf("%6" PRIu64 "  %s  %s\n", e.sequence(), UtcTime(e.unix_ms()).c_str(),
                e.text().c_str());
    last_shown = e.sequence();
  }
  if (events->truncated()) {
    std::printf("(more: augsweep events%s --after %" PRIu64 ")\n",
                request.sweep_id().empty() ? "" : (" " + request.sweep_id()).c_str(), last_shown);
  }
  return 0;
}

}  // namespace augsweep::cli
