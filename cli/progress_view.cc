#include "cli/progress_view.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cli/progress_bar.h"
#include "cli/sweep_state.h"
#include "cli/text_fields.h"

namespace augsweep::cli {
namespace {

constexpr int64_t kRateWindowMs = 60'000;

int AllFinishedJobs(const v1::SweepStatus& status) {
  int finished = 0, total = 0;
  CountJobs(status, &finished, &total);
  return finished;
}

std::string Rate(double per_minute) {
  if (per_minute < 0) return "- jobs/min";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f jobs/min", per_minute);
  return buf;
}

}  // namespace

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) return "unknown";
  char buf[32];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60));
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(seconds));
  }
  return buf;
}

int ExitCodeForFinalState(v1::SweepState state) {
  switch (state) {
    case v1::SWEEP_STATE_SUCCEEDED:
      return 0;
    case v1::SWEEP_STATE_CANCELLED:
      return 3;
    default:
      return 1;
  }
}

void ProgressView::Observe(const v1::SweepStatus& status, int64_t now_ms) {
  latest_ = status;
  samples_.emplace_back(now_ms, AllFinishedJobs(status));
  // Keep one sample older than the window, so the rate always spans it once it can.
  while (samples_.size() > 2 && samples_[1].first <= now_ms - kRateWindowMs) samples_.pop_front();
}

double ProgressView::JobsPerMinute() const {
  if (samples_.size() < 2) return -1;
  const auto& [t0, n0] = samples_.front();
  const auto& [t1, n1] = samples_.back();
  if (t1 <= t0) return -1;
  return std::max(0, n1 - n0) * 60'000.0 / static_cast<double>(t1 - t0);
}

std::string ProgressView::Frame(const v1::ListWorkersResponse& workers, int max_workers) const {
  std::string out = "sweep " + latest_.sweep_id() + " (" + OneLine(latest_.name()) +
                    "): " + SweepStateName(latest_.state()) + "\n";
  for (const v1::StageCounts& s : latest_.stages()) {
    char label[96];
    std::snprintf(label, sizeof(label), "%d running, %d failed, %d blocked", s.leased(), s.failed(),
                  s.blocked());
    char stage[16];
    std::snprintf(stage, sizeof(stage), "%-10s", s.stage().c_str());
    out += "  " + std::string(stage) + " " +
           RenderProgressBar(FinishedJobs(s), TotalJobs(s), 30, label) + "\n";
  }
  out += "  " + Rate(JobsPerMinute()) + "   eta " + FormatDuration(latest_.eta_seconds()) +
         "   workers " + std::to_string(latest_.active_workers()) + "\n";
  int shown = 0;
  for (const v1::WorkerInfo& w : workers.workers()) {
    if (shown == max_workers) {
      out += "  ... " + std::to_string(workers.workers_size() - shown) + " more workers\n";
      break;
    }
    out += "  " + OneLine(w.hostname()) + " (" + w.device() +
           "): " + (w.current_job().empty() ? std::string("idle") : OneLine(w.current_job())) +
           "\n";
    ++shown;
  }
  for (int e = 0; e < std::min(3, latest_.recent_errors_size()); ++e)
    out += "  error: " + OneLine(latest_.recent_errors(e)) + "\n";
  return out;
}

std::string ProgressView::PlainLineIfChanged(int64_t now_ms) {
  std::string key = SweepStateName(latest_.state());
  for (const v1::StageCounts& s : latest_.stages()) {
    key += " " + s.stage() + " " + std::to_string(FinishedJobs(s)) + "/" +
           std::to_string(TotalJobs(s)) +
           (s.failed() > 0 ? " (" + std::to_string(s.failed()) + " failed)" : "");
  }
  if (key == last_plain_key_) return "";
  last_plain_key_ = key;
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char time[16];
  std::strftime(time, sizeof(time), "%H:%M:%S", &tm);
  return std::string(time) + " " + latest_.sweep_id() + " " + key + "  " + Rate(JobsPerMinute()) +
         "  eta " + FormatDuration(latest_.eta_seconds()) + "\n";
}

}  // namespace augsweep::cli
