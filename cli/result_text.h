// How a result row's values read as text, shared by the result table's terminal and Markdown
// forms and the HTML report, so the two never say the same number two ways.
#pragma once

#include <string>

#include "augsweep/v1/sweep_service.pb.h"

namespace augsweep::cli {

// A classifier's baseline row: no generator, no synthetic texts.
bool IsBaselineRow(const v1::ResultRow& row);
// Whether the sweep has filters: then the table and the report show a filter column.
bool HasFilterColumn(const v1::GetResultsResponse& results);

std::string AucText(double v);     // "0.870"; "n/a" when not a number
std::string SignedText(double v);  // "+0.012", never "-0.000" (a rounding artefact, not a loss)
std::string PValueText(double p);  // "0.034", "<0.001"
// "0.845–0.895" (an en dash: a hyphen would read as a minus sign); signed: "-0.043–+0.003".
std::string IntervalText(double low, double high, bool is_signed);
std::string TemperatureText(double t);  // 0.7 -> "0.7", 1 -> "1.0": a real number, not a count

// "llama-7b T=0.7 n=100 roberta"; "roberta baseline".
std::string CellName(const v1::ResultRow& row);
// "5"; "4/5" when some planned folds have no result.
std::string FoldsText(const v1::ResultRow& row);
// "best", "tied with best", "1 failed", "2 pending", joined by ", "; "" when none applies.
std::string RowNote(const v1::ResultRow& row, bool best);

}  // namespace augsweep::cli
