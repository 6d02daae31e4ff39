// `augsweep report`: one self-contained HTML page about a sweep — the spec, the dataset summary,
// the result table with its statistics, inline SVG plots (AUC against augment count per
// classifier, the per-theme gain over the baseline, generation counts), and a sample of the
// synthetic texts. No script, font, image or stylesheet is fetched: the page declares a
// Content-Security-Policy that forbids it, and opens on an air-gapped machine.
#pragma once

#include <string>

#include "augsweep/v1/sweep_service.pb.h"

namespace augsweep::cli {

struct ReportInputs {
  v1::SweepDescription description;
  v1::SweepStatus status;
  v1::GetResultsResponse results;
  v1::GetTextsResponse generation;  // every generate job, counts only
  v1::GetTextsResponse samples;     // a few kept texts per theme of some jobs
  std::string generated_at;         // "2026-12-07 14:03 UTC"
};

// The whole page. Every name and text is HTML-escaped. Element ids the report test checks:
// "spec", "dataset", "results", "auc-plot-K" (one per classifier, K from 0), "theme-gain",
// "generation", "samples".
std::string RenderReportHtml(const ReportInputs& inputs);

}  // namespace augsweep::cli
