#include "cli/result_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/result_text.h"
#include "cli/text_fields.h"

namespace augsweep::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kPartialNote =
    "partial: the sweep has not finished, some cells have no results yet";

// Terminal columns of UTF-8 text, counted as code points (continuation bytes take none).
// Wide CJK characters are rare in model names; this keeps accents and the en dash aligned.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;
  return width;
}

// Non-finite numbers become null (JSON has no NaN).
Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
Json Optional(bool has, double v) { return has ? Number(v) : Json(nullptr); }

// The table every format renders: columns shown on terminals and in Markdown ("display"), or
// written to CSV and JSON ("data"), or both; each cell has its text and its data value.
struct Column {
  std::string key;     // CSV header and JSON key
  std::string header;  // terminal and Markdown header
  bool right_aligned = true;
  bool display = true;
  bool data = true;
};

struct Cell {
  std::string text;
  Json value;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> groups;  // per row: its group's heading ("" without --group-by)
  std::vector<std::string> notes;   // lines after the table (terminal, Markdown)
};

// A column and the cell of each row: built column by column for one row at a time.
class RowBuilder {
 public:
  RowBuilder(Table* table, bool first) : table_(table), first_(first) {
    table_->rows.emplace_back();
  }
  void Add(const Column& column, std::string text, Json value) {
    if (first_) table_->columns.push_back(column);
    table_->rows.back().push_back({OneLine(std::move(text)), std::move(value)});
  }
  void Both(const std::string& key, const std::string& header, bool right, std::string text,
            Json value) {
    Add({key, header, right, true, true}, std::move(text), std::move(value));
  }
  void Data(const std::string& key, Json value) { Add({key, "", true, false, true}, "", value); }
  void Display(const std::string& header, bool right, std::string text) {
    Add({"", header, right, true, false}, std::move(text), nullptr);
  }

 private:
  Table* table_;
  bool first_;
};

// The key columns every row starts with.
// `filter_column`: HasFilterColumn of the whole table.
void AddKeyColumns(bool filter_column, const v1::ResultRow& row, RowBuilder& b) {
  const bool baseline = IsBaselineRow(row);
  b.Both("generator", "generator", false, baseline ? "(baseline)" : row.generator(),
         baseline ? Json(nullptr) : Json(row.generator()));
  b.Both("temperature", "temperature", true, baseline ? "-" : TemperatureText(row.temperature()),
         baseline ? Json(nullptr) : Number(row.temperature()));
  if (filter_column) {
    b.Both("filter", "filter", false, baseline ? "-" : row.filter(),
           baseline ? Json(nullptr) : Json(row.filter()));
  }
  b.Both("augment_count", "n", true, std::to_string(row.augment_count()), row.augment_count());
  b.Both("classifier", "classifier", false, row.classifier(), row.classifier());
}

void AddCellRow(const v1::GetResultsResponse& results, int index, bool filter_column,
                const ResultView& view, Table* table) {
  const v1::ResultRow& row = results.rows(index);
  const bool baseline = IsBaselineRow(row);
  const bool best = results.has_best_row() && results.best_row() == index;
  RowBuilder b(table, table->rows.empty());
  AddKeyColumns(filter_column, row, b);
  b.Both("folds", "folds", true, FoldsText(row), row.folds());
  b.Data("planned_folds", row.planned_folds());
  b.Data("failed_folds", row.failed_folds());
  b.Data("pending_folds", row.pending_folds());
  b.Data("short_folds", row.short_folds());
  b.Both("mean_auc", "mean AUC", true, AucText(row.mean_auc()), Number(row.mean_auc()));
  b.Both("sd_auc", "SD", true, AucText(row.sd_auc()), Number(row.sd_auc()));
  b.Display("95% CI", true, IntervalText(row.ci95_low(), row.ci95_high(), false));
  b.Data("ci95_low", Number(row.ci95_low()));
  b.Data("ci95_high", Number(row.ci95_high()));
  b.Both("delta_vs_baseline", "vs baseline", true,
         baseline ? "-" : SignedText(row.delta_vs_baseline()),
         baseline ? Json(nullptr) : Number(row.delta_vs_baseline()));
  b.Data("paired_folds", baseline ? Json(nullptr) : Json(row.paired_folds()));
  b.Display("Δ 95% CI", true,
            row.has_delta_ci95_low()
                ? IntervalText(row.delta_ci95_low(), row.delta_ci95_high(), true)
                : "-");
  b.Data("delta_ci95_low", Optional(row.has_delta_ci95_low(), row.delta_ci95_low()));
  b.Data("delta_ci95_high", Optional(row.has_delta_ci95_high(), row.delta_ci95_high()));
  b.Data("p_value", Optional(row.has_p_value(), row.p_value()));
  b.Both("p_holm", "p (Holm)", true, row.has_p_holm() ? PValueText(row.p_holm()) : "-",
         Optional(row.has_p_holm(), row.p_holm()));
  b.Both("verdict", "verdict", false, row.verdict().empty() ? "-" : row.verdict(),
         row.verdict().empty() ? Json(nullptr) : Json(row.verdict()));
  b.Data("best", best);
  b.Data("tied_with_best", row.tied_with_best());
  if (view.per_theme) {
    for (const v1::ThemeResult& theme : row.per_theme()) {
      std::string text = theme.has_mean_auc() ? AucText(theme.mean_auc()) : "n/a";
      if (theme.has_delta_vs_baseline()) text += " " + SignedText(theme.delta_vs_baseline());
      b.Display(theme.theme(), true, text);
      b.Data("auc[" + theme.theme() + "]", Optional(theme.has_mean_auc(), theme.mean_auc()));
      b.Data("delta[" + theme.theme() + "]",
             Optional(theme.has_delta_vs_baseline(), theme.delta_vs_baseline()));
      b.Data("folds[" + theme.theme() + "]", theme.folds());
    }
  }
  Json fold_aucs = Json::array();
  for (double auc : row.fold_aucs()) fold_aucs.push_back(Number(auc));
  b.Data("fold_aucs", std::move(fold_aucs));
  b.Display("note", false, RowNote(row, best));
}

void AddFoldRows(const v1::GetResultsResponse& results, int index, bool filter_column,
                 const ResultView& view, Table* table) {
  const v1::ResultRow& row = results.rows(index);
  for (const v1::FoldResult& fold : row.fold_results()) {
    RowBuilder b(table, table->rows.empty());
    AddKeyColumns(filter_column, row, b);
    b.Both("repeat", "repeat", true, std::to_string(fold.repeat()), fold.repeat());
    b.Both("fold", "fold", true, std::to_string(fold.fold()), fold.fold());
    b.Both("state", "state", false, fold.short_of_texts() ? fold.state() + ", short" : fold.state(),
           fold.state());
    b.Data("short_of_texts", fold.short_of_texts());
    b.Both("macro_auc", "AUC", true, fold.has_macro_auc() ? AucText(fold.macro_auc()) : "-",
           Optional(fold.has_macro_auc(), fold.macro_auc()));
    const bool paired = fold.has_macro_auc() && fold.has_baseline_auc();
    b.Both("baseline_auc", "baseline", true,
           fold.has_baseline_auc() ? AucText(fold.baseline_auc()) : "-",
           Optional(fold.has_baseline_auc(), fold.baseline_auc()));
    b.Both("delta", "vs baseline", true,
           paired ? SignedText(fold.macro_auc() - fold.baseline_auc()) : "-",
           paired ? Number(fold.macro_auc() - fold.baseline_auc()) : Json(nullptr));
    if (view.per_theme) {
      std::map<std::string, double> aucs;
      for (const v1::ThemeFoldAuc& t : fold.per_theme()) aucs[t.theme()] = t.auc();
      for (const std::string& theme : results.themes()) {
        auto it = aucs.find(theme);
        b.Both("auc[" + theme + "]", theme, true, it == aucs.end() ? "-" : AucText(it->second),
               it == aucs.end() ? Json(nullptr) : Number(it->second));
      }
    }
  }
}

// The value a row sorts or groups by, as a comparable key; missing values sort last.
struct SortKey {
  bool missing = false;
  double number = 0;
  std::string text;
  bool operator<(const SortKey& o) const {
    return std::tie(missing, number, text) < std::tie(o.missing, o.number, o.text);
  }
};

SortKey KeyOf(const v1::ResultRow& row, const std::string& name) {
  if (name == "auc") return {row.folds() == 0, -row.mean_auc(), ""};
  if (name == "delta")
    return {IsBaselineRow(row) || row.folds() == 0, -row.delta_vs_baseline(), ""};
  if (name == "p") return {!row.has_p_holm(), row.p_holm(), ""};
  if (name == "generator") return {false, 0, IsBaselineRow(row) ? "" : row.generator()};
  if (name == "temperature") return {IsBaselineRow(row), row.temperature(), ""};
  if (name == "n") return {false, static_cast<double>(row.augment_count()), ""};
  if (name == "filter") return {false, 0, IsBaselineRow(row) ? "" : row.filter()};
  return {false, 0, row.classifier()};  // "classifier"
}

std::string GroupHeading(const v1::ResultRow& row, const std::string& name) {
  if (name == "generator")
    return "generator: " + (IsBaselineRow(row) ? "(baseline)" : row.generator());
  if (name == "temperature")
    return "temperature: " + (IsBaselineRow(row) ? "-" : TemperatureText(row.temperature()));
  if (name == "n") return "n: " + std::to_string(row.augment_count());
  if (name == "filter") return "filter: " + (IsBaselineRow(row) ? "-" : row.filter());
  return "classifier: " + row.classifier();
}

// Row indices sorted, then gathered by group in the order groups first appear.
std::vector<int> RowOrder(const v1::GetResultsResponse& results, const ResultView& view) {
  std::vector<int> order(static_cast<size_t>(results.rows_size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  if (!view.sort.empty()) {
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return KeyOf(results.rows(a), view.sort) < KeyOf(results.rows(b), view.sort);
    });
  }
  if (view.group_by.empty()) return order;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<int>> members;
  for (int i : order) {
    const std::string heading = GroupHeading(results.rows(i), view.group_by);
    if (!members.count(heading)) groups.push_back(heading);
    members[heading].push_back(i);
  }
  order.clear();
  for (const std::string& g : groups)
    order.insert(order.end(), members[g].begin(), members[g].end());
  return order;
}

Table BuildTable(const v1::GetResultsResponse& results, const ResultView& view) {
  Table table;
  const bool filter_column = HasFilterColumn(results);
  auto add = [&](const v1::GetResultsResponse& from, int index) {
    view.folds ? AddFoldRows(from, index, filter_column, view, &table)
               : AddCellRow(from, index, filter_column, view, &table);
  };
  for (int index : RowOrder(results, view)) {
    add(results, index);
    const std::string heading =
        view.group_by.empty() ? "" : GroupHeading(results.rows(index), view.group_by);
    table.groups.resize(table.rows.size(), heading);
  }
  if (table.rows.empty()) {
    // No row to take the columns from: a placeholder row makes them, then goes.
    v1::GetResultsResponse placeholder = results;
    v1::ResultRow* row = placeholder.add_rows();
    row->add_fold_results();
    for (const std::string& theme : results.themes()) row->add_per_theme()->set_theme(theme);
    placeholder.clear_best_row();
    add(placeholder, placeholder.rows_size() - 1);
    table.rows.clear();
  }
  int compared = 0, tied = 0;
  for (const v1::ResultRow& row : results.rows()) {
    compared += row.has_p_holm();
    tied += row.tied_with_best();
  }
  if (compared > 0) {
    table.notes.push_back(
        results.test() == "wilcoxon"
            ? "p: Wilcoxon signed-rank test against the classifier's baseline on the same folds, "
              "Holm-adjusted over " +
                  std::to_string(compared) +
                  " rows; the interval of the difference is the corrected t interval"
            : "p: corrected resampled t-test (Nadeau & Bengio 2003) against the classifier's "
              "baseline on the same folds, Holm-adjusted over " +
                  std::to_string(compared) + " rows");
  }
  if (results.has_best_row() && results.best_row() < results.rows_size()) {
    const v1::ResultRow& best = results.rows(results.best_row());
    table.notes.push_back(
        "best: " + OneLine(CellName(best)) + ", mean AUC " + AucText(best.mean_auc()) +
        " (95% CI " + IntervalText(best.ci95_low(), best.ci95_high(), false) + "); " +
        std::to_string(tied) + (tied == 1 ? " row" : " rows") + " tied with it (paired p >= 0.05)");
  }
  if (!results.complete()) table.notes.emplace_back(kPartialNote);
  return table;
}

std::string Pad(const std::string& cell, size_t width, bool right_aligned) {
  const std::string fill(width - std::min(width, DisplayWidth(cell)), ' ');
  return right_aligned ? fill + cell : cell + fill;
}

std::vector<size_t> DisplayColumns(const Table& table) {
  std::vector<size_t> out;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].display) out.push_back(c);
  }
  return out;
}

std::vector<size_t> ColumnWidths(const Table& table, const std::vector<size_t>& columns) {
  std::vector<size_t> widths;
  for (size_t c : columns) {
    size_t w = DisplayWidth(table.columns[c].header);
    for (const auto& row : table.rows) w = std::max(w, DisplayWidth(row[c].text));
    widths.push_back(w);
  }
  return widths;
}

std::string FormatText(const Table& table) {
  const auto columns = DisplayColumns(table);
  const auto widths = ColumnWidths(table, columns);
  auto line = [&](auto cell_of) {
    std::string out;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out += "  ";
      out += Pad(cell_of(columns[i]), widths[i], table.columns[columns[i]].right_aligned);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line([&](size_t c) { return table.columns[c].header; });
  size_t i = 0;
  out += line([&](size_t) { return std::string(widths[i++], '-'); });
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (!table.groups[r].empty() && (r == 0 || table.groups[r] != table.groups[r - 1]))
      out += (r == 0 ? "" : "\n") + OneLine(table.groups[r]) + "\n";
    out += line([&](size_t c) { return table.rows[r][c].text; });
  }
  if (!table.notes.empty()) out += "\n";
  for (const std::string& note : table.notes) out += note + "\n";
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

std::string FormatMarkdown(const Table& table) {
  const auto columns = DisplayColumns(table);
  Table escaped = table;
  for (auto& row : escaped.rows) {
    for (Cell& cell : row) cell.text = MarkdownCell(cell.text);
  }
  const auto widths = ColumnWidths(escaped, columns);
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const std::string& cell : cells) out += " " + cell + " |";
    return out + "\n";
  };
  std::vector<std::string> header, rule;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = table.columns[columns[i]];
    header.push_back(Pad(MarkdownCell(column.header), widths[i], column.right_aligned));
    // The alignment colon takes one of the dashes, so the rule is as wide as the cells.
    const std::string dashes(std::max<size_t>(widths[i], 3) - 1, '-');
    rule.push_back(column.right_aligned ? dashes + ":" : ":" + dashes);
  }
  std::string out;
  for (size_t r = 0; r < escaped.rows.size(); ++r) {
    const bool new_group = r == 0 || escaped.groups[r] != escaped.groups[r - 1];
    if (new_group) {
      if (r > 0) out += "\n";
      if (!escaped.groups[r].empty()) out += "**" + MarkdownCell(escaped.groups[r]) + "**\n\n";
      out += line(header) + line(rule);
    }
    std::vector<std::string> padded;
    for (size_t i = 0; i < columns.size(); ++i)
      padded.push_back(Pad(escaped.rows[r][columns[i]].text, widths[i],
                           table.columns[columns[i]].right_aligned));
    out += line(padded);
  }
  if (escaped.rows.empty()) out += line(header) + line(rule);
  // A blank line first: GitHub would read a line right under the table as one more row.
  for (size_t n = 0; n < table.notes.size(); ++n)
    out += (n == 0 ? "\n_" : "_") + MarkdownCell(table.notes[n]) + "_\n" +
           (n + 1 < table.notes.size() ? "\n" : "");
  return out;
}

std::string CsvValue(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return RoundTrip(value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  for (const Json& item : value) out += (out.empty() ? "" : ";") + CsvValue(item);
  return out;
}

std::string FormatCsv(const Table& table) {
  // RFC 4180: CRLF after every record, the header included.
  std::string out;
  auto record = [&](auto field_of) {
    bool first = true;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (!table.columns[c].data) continue;
      out += (first ? "" : ",") + CsvField(field_of(c));
      first = false;
    }
    out += "\r\n";
  };
  record([&](size_t c) { return table.columns[c].key; });
  for (const auto& row : table.rows) record([&](size_t c) { return CsvValue(row[c].value); });
  return out;
}

std::string FormatJson(const v1::GetResultsResponse& results, const Table& table) {
  Json rows = Json::array();
  for (const auto& row : table.rows) {
    Json r = Json::object();
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].data) r[table.columns[c].key] = row[c].value;
    }
    rows.push_back(std::move(r));
  }
  Json doc;
  doc["sweep_id"] = results.sweep_id();
  doc["complete"] = results.complete();
  doc["test"] = results.test().empty() ? Json(nullptr) : Json(results.test());
  doc["themes"] = Json::array();
  for (const std::string& theme : results.themes()) doc["themes"].push_back(theme);
  doc["rows"] = std::move(rows);
  // replace: a name with invalid UTF-8 must not throw out of a formatting function.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
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

Status ValidateResultView(const ResultView& view) {
  static const std::vector<std::string> kSorts = {
      "", "auc", "delta", "p", "n", "generator", "temperature", "filter", "classifier"};
  static const std::vector<std::string> kGroups = {"",  "generator", "temperature",
                                                   "n", "filter",    "classifier"};
  if (std::find(kSorts.begin(), kSorts.end(), view.sort) == kSorts.end())
    return InvalidArgumentError("--sort: unknown \"" + view.sort +
                                "\"; expected auc, delta, p, generator, temperature, n, filter "
                                "or classifier");
  if (std::find(kGroups.begin(), kGroups.end(), view.group_by) == kGroups.end())
    return InvalidArgumentError("--group-by: unknown \"" + view.group_by +
                                "\"; expected generator, temperature, n, filter or classifier");
  return OkStatus();
}

std::string FormatResults(const v1::GetResultsResponse& results, TableFormat format,
                          const ResultView& view) {
  const Table table = BuildTable(results, view);
  switch (format) {
    case TableFormat::kTable:
      return FormatText(table);
    case TableFormat::kCsv:
      return FormatCsv(table);
    case TableFormat::kJson:
      return FormatJson(results, table);
    case TableFormat::kMarkdown:
      return FormatMarkdown(table);
  }
  return FormatText(table);
}

}  // namespace augsweep::cli
