#include "cli/result_table.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

namespace augsweep::cli {
namespace {

// "–" (U+2013) between the CI bounds: a hyphen would read as a minus sign.
constexpr std::string_view kEnDash = "\xE2\x80\x93";
constexpr std::string_view kPartialNote =
    "partial: the sweep has not finished, some cells have no results yet";

bool IsBaseline(const v1::ResultRow& row) {
  return row.generator().empty() && row.augment_count() == 0;
}

// Shortest text that parses back to exactly `v` ("0.87", "1", "2e-05"); empty when not finite.
std::string RoundTrip(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "";
}

std::string Fixed3(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

std::string SignedFixed3(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%+.3f", v);
  std::string s = buf;
  return s == "-0.000" ? "+0.000" : s;  // a rounding artefact, not a loss
}

// 0.7 -> "0.7", 1 -> "1.0": a temperature reads as a real number, not a count.
std::string Temperature(double v) {
  if (!std::isfinite(v)) return "n/a";
  std::string s = RoundTrip(v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Terminal columns of UTF-8 text, counted as code points (continuation bytes take none).
// Wide CJK characters are rare in model names; this keeps accents and the en dash aligned.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;
  return width;
}

// Control characters (a newline in a generator name) would break a line-based table.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return s;
}

struct Column {
  std::string_view header;
  bool right_aligned;
};

constexpr Column kColumns[] = {
    {"generator", false},  {"temperature", true}, {"n", true},
    {"classifier", false}, {"folds", true},       {"mean AUC", true},
    {"SD", true},          {"95% CI", true},      {"vs baseline", true},
};
constexpr size_t kNumColumns = std::size(kColumns);

// The cells of one row as the table and Markdown forms show them.
std::vector<std::string> DisplayCells(const v1::ResultRow& row) {
  const bool baseline = IsBaseline(row);
  std::string ci = "n/a";
  if (std::isfinite(row.ci95_low()) && std::isfinite(row.ci95_high())) {
    ci = Fixed3(row.ci95_low()) + std::string(kEnDash) + Fixed3(row.ci95_high());
  }
  return {
      baseline ? "(baseline)" : OneLine(row.generator()),
      baseline ? "-" : Temperature(row.temperature()),
      std::to_string(row.augment_count()),
      OneLine(row.classifier()),
      std::to_string(row.folds()),
      Fixed3(row.mean_auc()),
      Fixed3(row.sd_auc()),
      ci,
      baseline ? "-" : SignedFixed3(row.delta_vs_baseline()),
  };
}

std::string Pad(const std::string& cell, size_t width, bool right_aligned) {
  const std::string fill(width - std::min(width, DisplayWidth(cell)), ' ');
  return right_aligned ? fill + cell : cell + fill;
}

std::vector<size_t> ColumnWidths(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const Column& column : kColumns) widths.push_back(column.header.size());
  for (const auto& cells : rows) {
    for (size_t c = 0; c < kNumColumns; ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(cells[c]));
    }
  }
  return widths;
}

std::vector<std::vector<std::string>> AllDisplayCells(const v1::GetResultsResponse& results) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::ResultRow& row : results.rows()) rows.push_back(DisplayCells(row));
  return rows;
}

std::string FormatTable(const v1::GetResultsResponse& results) {
  const auto rows = AllDisplayCells(results);
  const auto widths = ColumnWidths(rows);
  auto line = [&widths](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < kNumColumns; ++c) {
      if (c > 0) out += "  ";
      out += Pad(cells[c], widths[c], kColumns[c].right_aligned);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> header, rule;
  for (size_t c = 0; c < kNumColumns; ++c) {
    header.emplace_back(kColumns[c].header);
    rule.emplace_back(widths[c], '-');
  }
  std::string out = line(header) + line(rule);
  for (const auto& cells : rows) out += line(cells);
  if (!results.complete()) out += "\n" + std::string(kPartialNote) + "\n";
  return out;
}

std::string MarkdownCell(const std::string& cell) {
  std::string out;
  for (char c : cell) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string FormatMarkdown(const v1::GetResultsResponse& results) {
  auto rows = AllDisplayCells(results);
  for (auto& cells : rows) {
    for (std::string& cell : cells) cell = MarkdownCell(cell);
  }
  const auto widths = ColumnWidths(rows);
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const std::string& cell : cells) out += " " + cell + " |";
    return out + "\n";
  };
  std::vector<std::string> header, rule, padded;
  for (size_t c = 0; c < kNumColumns; ++c) {
    header.push_back(Pad(std::string(kColumns[c].header), widths[c], kColumns[c].right_aligned));
    // The alignment colon takes one of the dashes, so the rule is as wide as the cells.
    const std::string dashes(std::max<size_t>(widths[c], 3) - 1, '-');
    rule.push_back(kColumns[c].right_aligned ? dashes + ":" : ":" + dashes);
  }
  std::string out = line(header) + line(rule);
  for (const auto& cells : rows) {
    padded.clear();
    for (size_t c = 0; c < kNumColumns; ++c) {
      padded.push_back(Pad(cells[c], widths[c], kColumns[c].right_aligned));
    }
    out += line(padded);
  }
  // A blank line first: GitHub would read a line right under the table as one more row.
  if (!results.complete()) out += "\n_" + std::string(kPartialNote) + "_\n";
  return out;
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string FormatCsv(const v1::GetResultsResponse& results) {
  // RFC 4180: CRLF after every record, the header included.
  std::string out =
      "generator,temperature,augment_count,classifier,folds,mean_auc,sd_auc,ci95_low,ci95_high,"
      "delta_vs_baseline,paired_folds,delta_ci95_low,delta_ci95_high,p_value,p_holm,verdict,"
      "fold_aucs\r\n";
  for (const v1::ResultRow& row : results.rows()) {
    const bool baseline = IsBaseline(row);
    std::string fold_aucs;
    for (double auc : row.fold_aucs()) {
      fold_aucs += (fold_aucs.empty() ? "" : ";") + RoundTrip(auc);
    }
    const std::string fields[] = {
        row.generator(),
        baseline ? "" : RoundTrip(row.temperature()),
        std::to_string(row.augment_count()),
        row.classifier(),
        std::to_string(row.folds()),
        RoundTrip(row.mean_auc()),
        RoundTrip(row.sd_auc()),
        RoundTrip(row.ci95_low()),
        RoundTrip(row.ci95_high()),
        baseline ? "" : RoundTrip(row.delta_vs_baseline()),
        baseline ? "" : std::to_string(row.paired_folds()),
        row.has_delta_ci95_low() ? RoundTrip(row.delta_ci95_low()) : "",
        row.has_delta_ci95_high() ? RoundTrip(row.delta_ci95_high()) : "",
        row.has_p_value() ? RoundTrip(row.p_value()) : "",
        row.has_p_holm() ? RoundTrip(row.p_holm()) : "",
        row.verdict(),
        fold_aucs,
    };
    for (size_t i = 0; i < std::size(fields); ++i) {
      out += (i == 0 ? "" : ",") + CsvField(fields[i]);
    }
    out += "\r\n";
  }
  return out;
}

// Non-finite numbers become null (JSON has no NaN).
nlohmann::ordered_json JsonNumber(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

std::string FormatJson(const v1::GetResultsResponse& results) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const v1::ResultRow& row : results.rows()) {
    const bool baseline = IsBaseline(row);
    nlohmann::ordered_json fold_aucs = nlohmann::ordered_json::array();
    for (double auc : row.fold_aucs()) fold_aucs.push_back(JsonNumber(auc));
    nlohmann::ordered_json r;
    r["generator"] =
        baseline ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row.generator());
    r["temperature"] = baseline ? nlohmann::ordered_json(nullptr) : JsonNumber(row.temperature());
    r["augment_count"] = row.augment_count();
    r["classifier"] = row.classifier();
    r["folds"] = row.folds();
    r["mean_auc"] = JsonNumber(row.mean_auc());
    r["sd_auc"] = JsonNumber(row.sd_auc());
    r["ci95_low"] = JsonNumber(row.ci95_low());
    r["ci95_high"] = JsonNumber(row.ci95_high());
    r["delta_vs_baseline"] =
        baseline ? nlohmann::ordered_json(nullptr) : JsonNumber(row.delta_vs_baseline());
    auto optional = [](bool has, double v) {
      return has ? JsonNumber(v) : nlohmann::ordered_json(nullptr);
    };
    r["paired_folds"] =
        baseline ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row.paired_folds());
    r["delta_ci95_low"] = optional(row.has_delta_ci95_low(), row.delta_ci95_low());
    r["delta_ci95_high"] = optional(row.has_delta_ci95_high(), row.delta_ci95_high());
    r["p_value"] = optional(row.has_p_value(), row.p_value());
    r["p_holm"] = optional(row.has_p_holm(), row.p_holm());
    r["verdict"] = row.verdict().empty() ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(row.verdict());
    r["fold_aucs"] = std::move(fold_aucs);
    rows.push_back(std::move(r));
  }
  nlohmann::ordered_json doc;
  doc["sweep_id"] = results.sweep_id();
  doc["complete"] = results.complete();
  doc["rows"] = std::move(rows);
  // replace: a name with invalid UTF-8 must not throw out of a formatting function.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

StatusOr<TableFormat> ParseTableFormat(std::string_view name) {
  if (name == "table") return TableFormat::kTable;
  if (name == "csv") return TableFormat::kCsv;
  if (name == "json") return TableFormat::kJson;
  if (name == "markdown" || name == "md") return TableFormat::kMarkdown;
  return InvalidArgumentError("unknown format \"" + std::string(name) +
                              "\"; expected one of: table, csv, json, markdown");
}

std::string FormatResults(const v1::GetResultsResponse& results, TableFormat format) {
  switch (format) {
    case TableFormat::kTable:
      return FormatTable(results);
    case TableFormat::kCsv:
      return FormatCsv(results);
    case TableFormat::kJson:
      return FormatJson(results);
    case TableFormat::kMarkdown:
      return FormatMarkdown(results);
  }
  return FormatTable(results);
}

}  // namespace augsweep::cli
