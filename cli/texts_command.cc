// `augsweep texts SWEEP`: the synthetic texts the sweep's generate and filter jobs kept and
// dropped.
#include <cmath>
#include <cstdio>
#include <limits>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/text_listing.h"
#include "common/cli_main.h"

namespace augsweep::cli {

int RunTextsCommand(const Args& args) {
  ReadSource source;
  std::string format = "table", generator, theme, filter;
  double temperature = std::numeric_limits<double>::quiet_NaN();
  int64_t repeat = -1, fold = -1, limit = 0;
  bool full = false, audit = false, generated_only = false;
  FlagSet flags(
      "augsweep texts SWEEP [--generator G] [--temperature T] [--repeat R] [--fold F]\n"
      "                     [--filter NAME | --generated-only] [--theme X] [--limit N] [--full]\n"
      "                     [--audit] [--format table|csv|jsonl]\n"
      "                     [--coordinator HOST:PORT | --data-dir DIR]",
      "The synthetic texts of the sweep's generate jobs, and of its filter jobs when the spec has\n"
      "filters: per job its time and per theme how many were wanted, kept and dropped (a filter\n"
      "job: dropped per check, and relabelled); then each kept text, and each dropped one with\n"
      "why (the generator: empty, duplicate, over quota; a filter: its check and reason).\n"
      "--full (table) adds the prompt and the raw\n"
      "completion of each; csv and jsonl always have them. Per job also the kept texts'\n"
      "measures (distinct-1/2, pairwise similarity, length, similarity to the nearest real\n"
      "text) and the privacy audit's summary; --audit lists its worst texts (table, jsonl).\n"
      "The texts are the study's data: mind where you send them.");
  flags.String("generator", &generator, "only this generator's jobs");
  flags.Double("temperature", &temperature, "only jobs at this temperature");
  flags.Int("repeat", &repeat, "only this CV repeat");
  flags.Int("fold", &fold, "only this fold");
  flags.String("filter", &filter, "only this filter's sets");
  flags.Bool("generated-only", &generated_only, "only the generate jobs' sets, no filter's");
  flags.String("theme", &theme, "only this theme's texts");
  flags.Int("limit", &limit, "at most N kept and N dropped texts per job and theme (0: all)");
  flags.Bool("full", &full, "table: show each text's prompt and raw completion");
  flags.Bool("audit", &audit,
             "also the privacy audit's worst texts per job: the longest runs of words shared "
             "verbatim with a real training text, and words found in only one real text");
  flags.String("format", &format, "table, csv or jsonl");
  AddReadSourceFlags(flags, &source);
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, args, "augsweep texts", &positional)) return *code;
  if (positional.size() != 1)
    return ReportError("texts", InvalidArgumentError("expected one SWEEP id"));
  if (limit < 0 || limit > std::numeric_limits<int32_t>::max())
    return ReportError("texts", InvalidArgumentError("--limit: expected 0 or more"));
  if (generated_only && !filter.empty())
    return ReportError("texts", InvalidArgumentError("--filter and --generated-only exclude "
                                                     "each other"));
  StatusOr<TextsFormat> texts_format = ParseTextsFormat(format);
  if (!texts_format.ok()) return ReportError("texts", texts_format.status());
  v1::GetTextsRequest request;
  request.set_sweep_id(positional[0]);
  request.set_generator(generator);
  if (!std::isnan(temperature)) request.set_temperature(temperature);
  if (repeat >= 0) request.set_repeat(static_cast<int32_t>(repeat));
  if (fold >= 0) request.set_fold(static_cast<int32_t>(fold));
  if (!filter.empty()) request.set_filter(filter);
  if (generated_only) request.set_filter("");
  request.set_theme(theme);
  request.set_limit(static_cast<int32_t>(limit));
  request.set_audit(audit);
  StatusOr<std::unique_ptr<SweepReader>> reader = OpenReader(source);
  if (!reader.ok()) return ReportError("texts", reader.status());
  StatusOr<v1::GetTextsResponse> texts = (*reader)->GetTexts(request);
  if (!texts.ok()) return ReportError("texts", texts.status());
  std::fputs(FormatTexts(*texts, *texts_format, full).c_str(), stdout);
  return 0;
}

}  // namespace augsweep::cli
