#include "common/dataset/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "common/dataset/csv_reader.h"
#include "common/dataset/quote.h"
#include "common/read_file.h"
#include "common/sha256.h"
#include "common/utf8.h"

namespace augsweep {
namespace {

// ordered_json keeps the object's fields in file order, which lets an invalid-UTF-8 error be
// pinned to the field that holds the first bad byte.
using Json = nlohmann::ordered_json;

std::string_view TrimAscii(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteForMessage(names[i]);
  }
  return out;
}

std::string JoinPlain(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

// One row as read from the file, before labels are resolved to theme indices.
struct RawRow {
  std::string id;
  std::string text;
  std::vector<std::string> labels;  // trimmed, non-empty, may repeat
  int row = 0;
  std::string where;  // "row 3 (line 4)" for CSV, "line 4" for JSONL
};

// Parses a 0/1 cell. Returns nullopt for anything else.
std::optional<bool> ParseFlag(std::string_view cell) {
  std::string s(TrimAscii(cell));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "1" || s == "true") return true;
  if (s == "0" || s == "false") return false;
  return std::nullopt;
}

// Validates rows one by one, then resolves label names to theme indices. Shared by both
// formats so that CSV and JSONL enforce exactly the same rules.
class DatasetBuilder {
 public:
  DatasetBuilder(const DatasetOptions& options, std::string display_name)
      : options_(options), display_(std::move(display_name)) {}

  Status FieldError(const std::string& where, std::string_view field,
                    const std::string& message) const {
    return InvalidArgumentError(display_ + ": " + where + ": field " + QuoteForMessage(field) +
                                ": " + message);
  }

  Status CheckUtf8(const std::string& where, std::string_view field, std::string_view value) const {
    if (auto error = FindUtf8Error(value)) {
      return FieldError(where, field,
                        "invalid UTF-8 at byte offset " + std::to_string(error->offset) +
                            " of the value: " + error->reason);
    }
    return OkStatus();
  }

  // Splits a CSV label cell on the separator; trims pieces and drops empty ones.
  Status SplitLabels(const std::string& where, std::string_view cell,
                     std::vector<std::string>* labels) const {
    AUGSWEEP_RETURN_IF_ERROR(CheckUtf8(where, options_.label_field, cell));
    const std::string& sep = options_.label_separator;
    size_t start = 0;
    while (start <= cell.size()) {
      size_t end = cell.find(sep, start);
      if (end == std::string_view::npos) end = cell.size();
      std::string_view piece = TrimAscii(cell.substr(start, end - start));
      if (!piece.empty()) labels->emplace_back(piece);
      start = end + sep.size();
    }
    return OkStatus();
  }

  Status Add(RawRow raw) {
    if (!options_.id_field.empty()) {
      AUGSWEEP_RETURN_IF_ERROR(CheckUtf8(raw.where, options_.id_field, raw.id));
      raw.id = std::string(TrimAscii(raw.id));
      if (raw.id.empty()) return FieldError(raw.where, options_.id_field, "empty id");
    }
    AUGSWEEP_RETURN_IF_ERROR(CheckUtf8(raw.where, options_.text_field, raw.text));
    if (IsUtf8Blank(raw.text)) {
      return FieldError(raw.where, options_.text_field,
                        raw.text.empty() ? "empty text" : "text is only whitespace");
    }
    std::string label_where = options_.label_columns.empty()
                                  ? "field " + QuoteForMessage(options_.label_field)
                                  : "label columns " + JoinQuoted(options_.label_columns);
    for (const std::string& label : raw.labels) {
      if (options_.label_field.empty())
        break;  // labels named by label_columns were checked up front
      AUGSWEEP_RETURN_IF_ERROR(CheckUtf8(raw.where, options_.label_field, label));
      if (!options_.themes.empty() && declared_.count(label) == 0) {
        return FieldError(raw.where, options_.label_field,
                          "unknown theme " + QuoteForMessage(label) +
                              " (declared themes: " + JoinPlain(options_.themes) + ")");
      }
    }
    if (raw.labels.empty()) {
      return InvalidArgumentError(display_ + ": " + raw.where + ": " + label_where +
                                  ": row has no label; every example needs at least one theme");
    }
    auto [it, inserted] = first_row_of_id_.emplace(raw.id, raw.where);
    if (!inserted) {
      return FieldError(
          raw.where, options_.id_field,
          "duplicate id " + QuoteForMessage(raw.id) + " (first used at " + it->second + ")");
    }
    rows_.push_back(std::move(raw));
    return OkStatus();
  }

  // Checks options that do not depend on the data.
  Status CheckOptions() {
    auto options_error = [&](const std::string& m) {
      return InvalidArgumentError(display_ + ": dataset options: " + m);
    };
    if (options_.label_field.empty() == options_.label_columns.empty()) {
      return options_error("exactly one of label_field or label_columns must be set");
    }
    if (options_.text_field.empty()) return options_error("text_field is empty");
    if (!options_.label_field.empty() && options_.format == DatasetFormat::kCsv &&
        options_.label_separator.empty()) {
      return options_error("label_separator is empty");
    }
    for (const std::string& theme : options_.themes) {
      if (TrimAscii(theme).empty()) return options_error("a declared theme is empty");
      if (!declared_.insert(theme).second) {
        return options_error("theme " + QuoteForMessage(theme) + " is declared twice");
      }
    }
    std::set<std::string> columns;
    for (const std::string& column : options_.label_columns) {
      if (column.empty()) return options_error("a label column name is empty");
      if (!columns.insert(column).second) {
        return options_error("label column " + QuoteForMessage(column) + " is listed twice");
      }
      if (!options_.themes.empty() && declared_.count(column) == 0) {
        return options_error(
            "label column " + QuoteForMessage(column) +
            " is not a declared theme (declared themes: " + JoinPlain(options_.themes) + ")");
      }
    }
    if (!options_.label_columns.empty()) {
      for (const std::string& theme : options_.themes) {
        if (columns.count(theme) == 0) {
          return options_error("declared theme " + QuoteForMessage(theme) +
                               " has no column in label_columns");
        }
      }
    }
    return OkStatus();
  }

  StatusOr<Dataset> Finish(std::string_view empty_message) {
    if (rows_.empty())
      return InvalidArgumentError(display_ + ": dataset is empty: " + std::string(empty_message));
    Dataset dataset;
    if (!options_.themes.empty()) {
      dataset.themes = options_.themes;
    } else if (!options_.label_columns.empty()) {
      dataset.themes = options_.label_columns;
      std::sort(dataset.themes.begin(), dataset.themes.end());
    } else {
      std::set<std::string> seen;
      for (const RawRow& row : rows_) seen.insert(row.labels.begin(), row.labels.end());
      dataset.themes.assign(seen.begin(), seen.end());
    }
    std::map<std::string_view, int> index;
    for (size_t i = 0; i < dataset.themes.size(); ++i)
      index.emplace(dataset.themes[i], static_cast<int>(i));

    dataset.examples.reserve(rows_.size());
    for (RawRow& row : rows_) {
      Example example;
      example.id = std::move(row.id);
      example.text = std::move(row.text);
      example.row = row.row;
      for (const std::string& label : row.labels) example.labels.push_back(index.at(label));
      std::sort(example.labels.begin(), example.labels.end());
      example.labels.erase(std::unique(example.labels.begin(), example.labels.end()),
                           example.labels.end());
      dataset.examples.push_back(std::move(example));
    }
    return dataset;
  }

 private:
  const DatasetOptions& options_;
  std::string display_;
  std::set<std::string, std::less<>> declared_;
  std::map<std::string, std::string> first_row_of_id_;
  std::vector<RawRow> rows_;
};

StatusOr<Dataset> ParseCsv(std::string_view content, const DatasetOptions& options,
                           const std::string& display) {
  DatasetBuilder builder(options, display);
  AUGSWEEP_RETURN_IF_ERROR(builder.CheckOptions());
  AUGSWEEP_ASSIGN_OR_RETURN(CsvTable table, ReadCsvTable(content, display));

  auto column_of = [&](const std::string& name, std::string_view option) -> StatusOr<size_t> {
    auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end()) {
      return InvalidArgumentError(display + ": line " + std::to_string(table.header_line) +
                                  " (header): missing column " + QuoteForMessage(name) +
                                  " named by " + std::string(option) +
                                  " (columns: " + JoinQuoted(table.header) + ")");
    }
    return static_cast<size_t>(it - table.header.begin());
  };
  size_t id_column = 0;
  if (!options.id_field.empty()) {
    AUGSWEEP_ASSIGN_OR_RETURN(id_column, column_of(options.id_field, "id_field"));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(size_t text_column, column_of(options.text_field, "text_field"));
  size_t label_column = 0;
  if (!options.label_field.empty()) {
    AUGSWEEP_ASSIGN_OR_RETURN(label_column, column_of(options.label_field, "label_field"));
  }
  std::vector<size_t> flag_columns;
  for (const std::string& name : options.label_columns) {
    AUGSWEEP_ASSIGN_OR_RETURN(size_t column, column_of(name, "label_columns"));
    flag_columns.push_back(column);
  }

  for (size_t i = 0; i < table.records.size(); ++i) {
    CsvRecord& record = table.records[i];
    RawRow raw;
    raw.row = static_cast<int>(i + 1);
    raw.where = "row " + std::to_string(raw.row) + " (line " + std::to_string(record.line) + ")";
    raw.id =
        options.id_field.empty() ? std::to_string(raw.row) : std::move(record.fields[id_column]);
    raw.text = std::move(record.fields[text_column]);
    if (!options.label_field.empty()) {
      AUGSWEEP_RETURN_IF_ERROR(
          builder.SplitLabels(raw.where, record.fields[label_column], &raw.labels));
    }
    for (size_t k = 0; k < flag_columns.size(); ++k) {
      const std::string& cell = record.fields[flag_columns[k]];
      std::optional<bool> flag = ParseFlag(cell);
      if (!flag) {
        return builder.FieldError(raw.where, options.label_columns[k],
                                  "expected 0 or 1 (or true/false), got " + QuoteForMessage(cell));
      }
      if (*flag) raw.labels.push_back(options.label_columns[k]);
    }
    AUGSWEEP_RETURN_IF_ERROR(builder.Add(std::move(raw)));
  }
  return builder.Finish("no data rows after the header (line " + std::to_string(table.header_line) +
                        ")");
}

// A valid noncharacter (U+10FFFF) substituted for ill-formed bytes so that a line with bad
// UTF-8 still parses as JSON and the bad bytes can be traced to a field.
constexpr std::string_view kMarker = "\xF4\x8F\xBF\xBF";

bool ContainsMarker(const Json& root) {
  std::vector<const Json*> stack = {&root};
  while (!stack.empty()) {
    const Json* value = stack.back();
    stack.pop_back();
    if (value->is_string()) {
      if (value->get_ref<const std::string&>().find(kMarker) != std::string::npos) return true;
    } else if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (it.key().find(kMarker) != std::string::npos) return true;
        stack.push_back(&it.value());
      }
    } else if (value->is_array()) {
      for (const Json& element : *value) stack.push_back(&element);
    }
  }
  return false;
}

// Explains invalid UTF-8 on a JSONL line, naming the field that holds it where possible.
Status Utf8ErrorOnLine(std::string_view line, const Utf8Error& first, const std::string& display,
                       const std::string& where) {
  const std::string generic = display + ": " + where + ": invalid UTF-8 at byte offset " +
                              std::to_string(first.offset) + " of the line: " + first.reason;
  if (line.find(kMarker) != std::string_view::npos) return InvalidArgumentError(generic);
  std::string repaired;
  repaired.reserve(line.size() + 16);
  size_t i = 0;
  while (i < line.size()) {
    if (static_cast<unsigned char>(line[i]) < 0x80) {
      repaired.push_back(line[i++]);
      continue;
    }
    size_t len = Utf8SequenceLength(line.substr(i));
    if (len == 0) {
      repaired.append(kMarker);
      ++i;
    } else {
      repaired.append(line.substr(i, len));
      i += len;
    }
  }
  Json object = Json::parse(repaired, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return InvalidArgumentError(generic);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key().find(kMarker) != std::string::npos) {
      return InvalidArgumentError(display + ": " + where +
                                  ": a field name holds invalid UTF-8 at byte offset " +
                                  std::to_string(first.offset) + " of the line: " + first.reason);
    }
    if (!ContainsMarker(it.value())) continue;
    std::string message =
        display + ": " + where + ": field " + QuoteForMessage(it.key()) + ": invalid UTF-8 at ";
    if (it.value().is_string()) {
      message += "byte offset " +
                 std::to_string(it.value().get_ref<const std::string&>().find(kMarker)) +
                 " of the value (byte " + std::to_string(first.offset) + " of the line)";
    } else {
      message += "byte offset " + std::to_string(first.offset) + " of the line";
    }
    return InvalidArgumentError(message + ": " + first.reason);
  }
  return InvalidArgumentError(generic);
}

std::string JsonTypeName(const Json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) return "an integer";
  if (value.is_number_float()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "null";
}

StatusOr<Dataset> ParseJsonl(std::string_view content, const DatasetOptions& options,
                             const std::string& display) {
  DatasetBuilder builder(options, display);
  AUGSWEEP_RETURN_IF_ERROR(builder.CheckOptions());
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (content.substr(0, kUtf8Bom.size()) == kUtf8Bom) content.remove_prefix(kUtf8Bom.size());

  int line_number = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimAscii(line).empty()) continue;

    RawRow raw;
    raw.row = line_number;
    raw.where = "line " + std::to_string(line_number);
    if (auto utf8_error = FindUtf8Error(line))
      return Utf8ErrorOnLine(line, *utf8_error, display, raw.where);

    Json object;
    try {
      object = Json::parse(line);
    } catch (const Json::exception& e) {
      std::string what = e.what();
      // nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 7: ...";
      // the bracketed tag and the "line 1" of a one-line parse only confuse a user.
      if (size_t tag_end = what.find("] ");
          what.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos) {
        what.erase(0, tag_end + 2);
      }
      if (size_t pos = what.find("line 1, column "); pos != std::string::npos) what.erase(pos, 8);
      return InvalidArgumentError(display + ": " + raw.where + ": invalid JSON: " + what);
    }
    if (!object.is_object()) {
      return InvalidArgumentError(display + ": " + raw.where +
                                  ": expected a JSON object ({...}), got " + JsonTypeName(object));
    }
    auto field = [&](const std::string& name) -> StatusOr<const Json*> {
      auto it = object.find(name);
      if (it == object.end()) return builder.FieldError(raw.where, name, "missing");
      return &*it;
    };

    if (options.id_field.empty()) {
      raw.id = std::to_string(line_number);
    } else {
      AUGSWEEP_ASSIGN_OR_RETURN(const Json* id, field(options.id_field));
      if (id->is_string()) {
        raw.id = id->get<std::string>();
      } else if (id->is_number_integer() || id->is_number_unsigned()) {
        raw.id = id->dump();
      } else {
        return builder.FieldError(raw.where, options.id_field,
                                  "expected a string or an integer, got " + JsonTypeName(*id));
      }
    }

    AUGSWEEP_ASSIGN_OR_RETURN(const Json* text, field(options.text_field));
    if (!text->is_string()) {
      return builder.FieldError(raw.where, options.text_field,
                                "expected a string, got " + JsonTypeName(*text));
    }
    raw.text = text->get<std::string>();

    if (!options.label_field.empty()) {
      AUGSWEEP_ASSIGN_OR_RETURN(const Json* labels, field(options.label_field));
      auto add_label = [&](const std::string& label) {
        std::string_view trimmed = TrimAscii(label);
        if (!trimmed.empty()) raw.labels.emplace_back(trimmed);
      };
      if (labels->is_string()) {
        add_label(labels->get_ref<const std::string&>());
      } else if (labels->is_array()) {
        for (size_t k = 0; k < labels->size(); ++k) {
          const Json& element = (*labels)[k];
          if (!element.is_string()) {
            return builder.FieldError(raw.where, options.label_field,
                                      "element " + std::to_string(k) + ": expected a string, got " +
                                          JsonTypeName(element));
          }
          add_label(element.get_ref<const std::string&>());
        }
      } else {
        return builder.FieldError(
            raw.where, options.label_field,
            "expected an array of strings or a string, got " + JsonTypeName(*labels));
      }
    }
    for (const std::string& column : options.label_columns) {
      AUGSWEEP_ASSIGN_OR_RETURN(const Json* cell, field(column));
      std::optional<bool> flag;
      if (cell->is_boolean()) {
        flag = cell->get<bool>();
      } else if (cell->is_number()) {
        const double v = cell->get<double>();
        if (v == 0.0 || v == 1.0) flag = v == 1.0;
      } else if (cell->is_string()) {
        flag = ParseFlag(cell->get_ref<const std::string&>());
      }
      if (!flag) {
        std::string got = cell->is_string() ? QuoteForMessage(cell->get_ref<const std::string&>())
                                            : (cell->is_number() ? QuoteForMessage(cell->dump())
                                                                 : JsonTypeName(*cell));
        return builder.FieldError(raw.where, column, "expected 0 or 1 (or true/false), got " + got);
      }
      if (*flag) raw.labels.push_back(column);
    }
    AUGSWEEP_RETURN_IF_ERROR(builder.Add(std::move(raw)));
  }
  return builder.Finish("no JSON lines");
}

}  // namespace

StatusOr<Dataset> ParseDataset(std::string_view content, const DatasetOptions& options) {
  const std::string display = options.path.empty() ? "<dataset>" : options.path;
  try {
    if (options.format == DatasetFormat::kJsonl) return ParseJsonl(content, options, display);
    return ParseCsv(content, options, display);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(display + ": out of memory while parsing the dataset");
  } catch (const std::exception& e) {
    // Nothing above is expected to throw; this keeps the no-exceptions contract if it does.
    return InternalError(display + ": unexpected error while parsing the dataset: " + e.what());
  }
}

StatusOr<Dataset> LoadDataset(const DatasetOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("dataset options: path is empty");
  AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(options.path));
  return ParseDataset(bytes, options);
}

std::string DatasetFingerprint(const Dataset& dataset) {
  // Counts before each list and ContentHasher's length prefixes make the serialization
  // unambiguous: no two different datasets produce the same byte stream.
  ContentHasher hasher;
  hasher.Add("format", "augsweep.dataset.v1");
  hasher.AddInt("themes", static_cast<int64_t>(dataset.themes.size()));
  for (const std::string& theme : dataset.themes) hasher.Add("theme", theme);
  hasher.AddInt("examples", static_cast<int64_t>(dataset.examples.size()));
  for (const Example& example : dataset.examples) {
    hasher.Add("id", example.id);
    hasher.Add("text", example.text);
    hasher.AddInt("labels", static_cast<int64_t>(example.labels.size()));
    for (int label : example.labels) hasher.AddInt("label", label);
  }
  return hasher.HexDigest();
}

std::vector<int> ThemePositiveCounts(const Dataset& dataset) {
  std::vector<int> counts(dataset.themes.size(), 0);
  for (const Example& example : dataset.examples) {
    for (int label : example.labels) {
      if (label >= 0 && static_cast<size_t>(label) < counts.size()) ++counts[label];
    }
  }
  return counts;
}

}  // namespace augsweep
