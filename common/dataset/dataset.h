// The labelled dataset a sweep runs on: short free-text answers, each tagged with one or more
// themes. Loads CSV or JSONL, validates every row (UTF-8, empty text, labels, duplicate ids) and
// names the row and field of anything wrong, so that a bad file fails at submit time rather
// than inside a worker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

enum class DatasetFormat { kCsv, kJsonl };

struct DatasetOptions {
  std::string path;  // read by LoadDataset; the display name in every error message
  DatasetFormat format = DatasetFormat::kCsv;
  std::string id_field;  // empty: ids are the 1-based row numbers as text
  std::string text_field = "text";
  // Exactly one of label_field / label_columns must be set.
  // label_field: one field holding the labels; in CSV separated by label_separator, in JSONL a
  // JSON array of strings or a single string (one label, not split).
  std::string label_field;
  // label_columns: one 0/1 column per theme, the theme named after its column. Cells accept
  // 0, 1, true, false (trimmed, case-insensitive); JSONL also accepts JSON booleans and 0/1.
  std::vector<std::string> label_columns;
  std::string label_separator = ";";
  // Declared themes, in order; labels outside them are errors. Empty: the themes are inferred
  // from the data (every label seen, or the label_columns) and sorted.
  std::vector<std::string> themes;
};

struct Example {
  std::string id;
  std::string text;         // verbatim (not trimmed)
  std::vector<int> labels;  // sorted, distinct indices into Dataset::themes; never empty
  int row = 0;              // CSV: 1-based record number after the header; JSONL: line number
};

struct Dataset {
  std::vector<std::string> themes;
  std::vector<Example> examples;  // in file order; never empty
};

// Reads options.path and parses it. NotFound when the file cannot be opened; InvalidArgument
// for bad options or bad content.
StatusOr<Dataset> LoadDataset(const DatasetOptions& options);

// Parses bytes already in memory (an uploaded file); options.path only names it in messages.
StatusOr<Dataset> ParseDataset(std::string_view content, const DatasetOptions& options);

// SHA-256 (hex) of an unambiguous canonical serialization of themes, ids, texts and labels.
// Row numbers and the source format do not enter: the same data as CSV or JSONL has the same
// fingerprint.
std::string DatasetFingerprint(const Dataset& dataset);

// Number of examples carrying each theme, indexed like Dataset::themes.
std::vector<int> ThemePositiveCounts(const Dataset& dataset);

}  // namespace augsweep
