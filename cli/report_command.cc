// `augsweep report SWEEP -o FILE`: the sweep's HTML report (cli/report/report_html.h).
#include <cstdio>
#include <ctime>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/report/report_html.h"
#include "common/cli_main.h"
#include "security/private_files.h"

namespace augsweep::cli {
namespace {

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

// What the report needs, read through `reader`.
StatusOr<ReportInputs> ReadReportInputs(SweepReader& reader, const std::string& sweep_id,
                                        int samples) {
  ReportInputs in;
  AUGSWEEP_ASSIGN_OR_RETURN(in.description, reader.DescribeSweep(sweep_id));
  AUGSWEEP_ASSIGN_OR_RETURN(in.status, reader.GetStatus(sweep_id));
  v1::GetResultsRequest results;
  results.set_sweep_id(sweep_id);
  AUGSWEEP_ASSIGN_OR_RETURN(in.results, reader.GetResults(results));
  v1::GetTextsRequest counts;
  counts.set_sweep_id(sweep_id);
  counts.set_counts_only(true);
  AUGSWEEP_ASSIGN_OR_RETURN(in.generation, reader.GetTexts(counts));
  v1::GetTextsRequest sample;
  sample.set_sweep_id(sweep_id);
  sample.set_repeat(0);
  sample.set_fold(0);
  sample.set_limit(samples);
  sample.set_filter("");  // the generated sets: a filter job's texts are a subset of them
  AUGSWEEP_ASSIGN_OR_RETURN(in.samples, reader.GetTexts(sample));
  for (v1::GenerateJobTexts& job : *in.samples.mutable_jobs()) job.clear_dropped();
  in.generated_at = UtcNow();
  return in;
}

}  // namespace

int RunReportCommand(const Args& args) {
  ReadSource source;
  std::string output;
  int64_t samples = 3;
  FlagSet flags(
      "augsweep report SWEEP -o FILE.html [--samples N] [--coordinator HOST:PORT | --data-dir DIR]",
      "Writes one self-contained HTML page (no scripts, fonts or network; opens offline) with\n"
      "the spec, the dataset summary, the result table with its statistics, plots of AUC\n"
      "against augment count per classifier, the per-theme gain over the baseline, generation\n"
      "counts, and a sample of the synthetic texts. The file is owner-only: it holds synthetic\n"
      "texts, which may echo the real ones.");
  flags.String("o", &output, "the HTML file to write");
  flags.String("output", &output, "the HTML file to write (same as -o)");
  flags.Int("samples", &samples, "synthetic texts shown per theme and generate job (default 3)");
  AddReadSourceFlags(flags, &source);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep report", &positional)) return *code;
  if (positional.size() != 1)
    return ReportError("report", InvalidArgumentError("expected one SWEEP id"));
  if (output.empty()) return ReportError("report", InvalidArgumentError("-o FILE is required"));
  if (samples < 0 || samples > 1000)
    return ReportError("report", InvalidArgumentError("--samples: expected 0 to 1000"));
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source);
  if (!reader.ok()) return ReportError("report", reader.status());
  StatusOr<ReportInputs> inputs =
      ReadReportInputs(**reader, positional[0], static_cast<int>(samples));
  if (!inputs.ok()) return ReportError("report", inputs.status());
  if (Status written = WriteOwnerOnlyFile(output, RenderReportHtml(*inputs)); !written.ok())
    return ReportError("report", written);
  std::fprintf(stderr, "augsweep report: wrote %s\n", output.c_str());
  return 0;
}

}  // namespace augsweep::cli
