#include "coordinator/server/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace augsweep {
namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  // Shortest round trip, plain digits down to 1e-4 ("0.0005", not "5e-04").
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

void Family(std::string& out, const std::string& name, const char* type, const char* help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// `labels`: "" or `kind="generate"` (without braces).
void HistogramLines(std::string& out, const std::string& name, const std::string& labels,
                    const Histogram& h) {
  const std::vector<uint64_t> counts = h.CumulativeCounts();
  const std::string prefix = labels.empty() ? "" : labels + ",";
  for (size_t i = 0; i < h.upper_bounds().size(); ++i) {
    out += name + "_bucket{" + prefix + "le=\"" + Number(h.upper_bounds()[i]) + "\"} " +
           std::to_string(counts[i]) + "\n";
  }
  out += name + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(counts.back()) + "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + Number(h.sum()) + "\n";
  out += name + "_count" + braces + " " + std::to_string(h.count()) + "\n";
}

}  // namespace

std::string RenderPrometheusText(const SchedulerStats& stats, const Histogram& lease_seconds) {
  std::string out;
  Family(out, "augsweep_jobs", "gauge", "Jobs by kind and state, over every sweep in the store.");
  for (const SchedulerStats::JobCount& c : stats.jobs) {
    out += std::string("augsweep_jobs{kind=\"") + StageName(c.stage) + "\",state=\"" + c.state +
           "\"} " + std::to_string(c.count) + "\n";
  }
  Family(out, "augsweep_sweeps", "gauge", "Sweeps in the store.");
  out += "augsweep_sweeps " + std::to_string(stats.sweeps) + "\n";
  Family(out, "augsweep_workers", "gauge",
         "Workers registered since the coordinator started (known) and heard from recently "
         "(active).");
  out += "augsweep_workers{state=\"active\"} " + std::to_string(stats.active_workers) + "\n";
  out += "augsweep_workers{state=\"known\"} " + std::to_string(stats.known_workers) + "\n";
  Family(out, "augsweep_lease_seconds", "histogram",
         "LeaseJob calls that handed out a job, from request to reply (a worker's wait for a "
         "ready job included).");
  HistogramLines(out, "augsweep_lease_seconds", "", lease_seconds);
  Family(out, "augsweep_job_seconds", "histogram",
         "Jobs from lease to accepted completion, by kind, since the coordinator started.");
  for (const auto& [stage, histogram] : stats.job_seconds) {
    HistogramLines(out, "augsweep_job_seconds", std::string("kind=\"") + StageName(stage) + "\"",
                   histogram);
  }
  Family(out, "augsweep_store_write_seconds", "histogram",
         "Synced store commits of job transitions (each carries every transition queued "
         "while the one before it was written).");
  HistogramLines(out, "augsweep_store_write_seconds", "", stats.store_write_seconds);
  return out;
}

}  // namespace augsweep
