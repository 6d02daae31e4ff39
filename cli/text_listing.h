// The synthetic texts of a sweep as `augsweep texts --format` prints them: a readable listing
// for terminals, CSV (RFC 4180, one record per text) and JSON Lines (one object per job, then
// one per text) for scripts.
#pragma once

#include <string>
#include <string_view>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"

namespace augsweep::cli {

enum class TextsFormat { kTable, kCsv, kJsonl };

// "table", "csv" or "jsonl"; InvalidArgument naming them otherwise.
StatusOr<TextsFormat> ParseTextsFormat(std::string_view name);

// table: per job a heading (generator, temperature or "any" for a generator that ignores it,
//   repeat/fold, state, seconds), the measures
//   and audit summary, the audit's worst texts when asked for, a line per
//   theme (kept/wanted, dropped, shortfall, cut), then the kept texts (marked "(cut)" when their
//   completion ran out of max_new_tokens) and the dropped ones with the reason, one line each; with
//   `full`, each text's prompt and raw completion follow it, indented. Control characters show as
//   spaces.
// csv: job_key, generator, temperature (empty when ignored), repeat, fold, theme, kept,
//   dropped_because, cut (true/false: its completion ran out of max_new_tokens), text, prompt,
//   raw_completion.
// jsonl: {"job": ...} with the per-theme counts, measures and audit summary, then
//   {"audit_finding": ...} and {"text": ...} lines of that job.
std::string FormatTexts(const v1::GetTextsResponse& texts, TextsFormat format, bool full);

}  // namespace augsweep::cli
