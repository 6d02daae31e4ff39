// The result table of a sweep in the four forms `augsweep results --format` offers: aligned text
// for terminals, CSV (RFC 4180) and JSON for analysis scripts, Markdown for reports and issues.
// One row per (generator, temperature, augment count, classifier) cell, in the order the
// coordinator sent them; baseline rows (generator "" and augment count 0) compare against nothing.
#pragma once

#include <string>
#include <string_view>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"

namespace augsweep::cli {

enum class TableFormat { kTable, kCsv, kJson, kMarkdown };

// "table", "csv", "json" or "markdown" (also "md"). InvalidArgument naming the valid ones
// otherwise.
StatusOr<TableFormat> ParseTableFormat(std::string_view name);

// Renders every row of `results`; the output ends with a newline.
//
// table/markdown: AUCs with 3 decimals, the CI as "low–high", the delta signed ("+0.012");
//   baseline rows show "(baseline)", temperature "-" and delta "-"; a value that is not a number
//   (SD of a single fold) shows "n/a". When results.complete() is false the last line says the
//   table is partial.
// csv: a header, then one record per row, CRLF line ends, fields quoted when they hold a comma,
//   quote, CR or LF; numbers in shortest round-trip form; fold_aucs as one field joined by ';';
//   baseline generator, temperature and delta (and non-numbers) are empty fields.
// json: {"sweep_id", "complete", "rows": [{..., "fold_aucs": [...]}]}, numbers round-trip;
//   baseline generator, temperature and delta (and non-numbers) are null.
std::string FormatResults(const v1::GetResultsResponse& results, TableFormat format);

}  // namespace augsweep::cli
