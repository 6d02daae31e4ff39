#include "cli/result_text.h"

#include <cmath>
#include <vector>

#include "cli/text_fields.h"

namespace augsweep::cli {

bool IsBaselineRow(const v1::ResultRow& row) {
  return row.generator().empty() && row.augment_count() == 0;
}

bool HasFilterColumn(const v1::GetResultsResponse& results) {
  for (const v1::ResultRow& row : results.rows()) {
    if (!row.filter().empty()) return true;
  }
  return false;
}

std::string AucText(double v) { return FormatNumber(v, "%.3f"); }

std::string SignedText(double v) {
  const std::string s = FormatNumber(v, "%+.3f");
  return s == "-0.000" ? "+0.000" : s;
}

std::string PValueText(double p) { return std::isfinite(p) && p < 0.001 ? "<0.001" : AucText(p); }

std::string IntervalText(double low, double high, bool is_signed) {
  if (!std::isfinite(low) || !std::isfinite(high)) return "n/a";
  return is_signed ? SignedText(low) + "\xE2\x80\x93" + SignedText(high)
                   : AucText(low) + "\xE2\x80\x93" + AucText(high);
}

std::string TemperatureText(double t) {
  if (!std::isfinite(t)) return "n/a";
  std::string s = RoundTrip(t);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string CellName(const v1::ResultRow& row) {
  if (IsBaselineRow(row)) return row.classifier() + " baseline";
  return row.generator() + " T=" + TemperatureText(row.temperature()) +
         (row.filter().empty() ? "" : " filter=" + row.filter()) +
         " n=" + std::to_string(row.augment_count()) + " " + row.classifier();
}

std::string FoldsText(const v1::ResultRow& row) {
  return row.planned_folds() > row.folds()
             ? std::to_string(row.folds()) + "/" + std::to_string(row.planned_folds())
             : std::to_string(row.folds());
}

std::string RowNote(const v1::ResultRow& row, bool best) {
  std::vector<std::string> parts;
  if (best) parts.push_back("best");
  if (row.tied_with_best()) parts.push_back("tied with best");
  if (row.failed_folds() > 0) parts.push_back(std::to_string(row.failed_folds()) + " failed");
  if (row.pending_folds() > 0) parts.push_back(std::to_string(row.pending_folds()) + " pending");
  // Trained on fewer than n synthetic texts of some theme in these folds.
  if (row.short_folds() > 0) parts.push_back(std::to_string(row.short_folds()) + " short of n");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace augsweep::cli
