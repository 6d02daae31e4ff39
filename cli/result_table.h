// The result table of a sweep in the four forms `augsweep results --format` offers: aligned text
// for terminals, CSV (RFC 4180) and JSON for analysis scripts, Markdown for papers and issues.
// One row per (generator, temperature, augment count, classifier) cell, or with folds one row
// per cell and fold; baseline rows (generator "" and augment count 0) compare against nothing.
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

// What `augsweep results` shows of the rows.
struct ResultView {
  bool per_theme = false;  // a column per theme: its mean AUC (and difference to the baseline)
  bool folds = false;      // one row per cell and fold instead of per cell
  // "" (the coordinator's order: per classifier its baseline, then the grid), "auc" (mean AUC,
  // highest first), "delta" (difference to the baseline, highest first), "p" (Holm-adjusted p,
  // lowest first), or a key column: "generator", "temperature", "n", "classifier".
  std::string sort;
  // "" or a key column: rows with the same value come together under a heading (table,
  // Markdown), or next to each other (CSV, JSON).
  std::string group_by;
};

// InvalidArgument naming the valid values when sort or group_by is not one of them.
Status ValidateResultView(const ResultView& view);

// Renders every row of `results` as `view` says; the output ends with a newline.
//
// table/markdown: AUCs with 3 decimals, intervals as "low–high", differences signed ("+0.012"),
//   p-values with 3 decimals ("<0.001"); baseline rows show "(baseline)", temperature "-" and
//   no comparison; a value that is not a number shows "n/a". Folds show "defined/planned" when
//   some are missing, and the note column says why (failed, pending) and marks the best row and
//   the rows tied with it. Lines after the table name the test and, when results.complete() is
//   false, say the table is partial.
// csv: a header, then one record per row, CRLF line ends, fields quoted when they hold a comma,
//   quote, CR or LF; numbers in shortest round-trip form; lists joined by ';'; missing values
//   (and non-numbers) are empty fields.
// json: {"sweep_id", "complete", "test", "themes", "rows": [...]} with the CSV's columns as keys;
//   numbers round-trip; missing values are null.
std::string FormatResults(const v1::GetResultsResponse& results, TableFormat format,
                          const ResultView& view = {});

}  // namespace augsweep::cli
