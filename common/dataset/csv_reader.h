// RFC 4180 CSV reader for dataset files: quoted fields (with doubled quotes, embedded commas and
// newlines), a leading UTF-8 byte-order mark, CRLF or LF line ends. Every record carries the
// physical line where it starts, so errors further up can point a user at the right line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // 1-based physical line on which the record starts
};

// Reads records one at a time from `content`, which must outlive the reader.
// Blank lines at the end of the input are ignored; a blank line in the middle is a record
// with one empty field (the caller's field-count check reports it).
// Not thread-safe.
class CsvReader {
 public:
  // `display_name` (usually the path) prefixes every error message.
  CsvReader(std::string_view content, std::string display_name);

  // Reads the next record into *record. Returns false at the end of the input or on error;
  // status() tells which.
  bool Next(CsvRecord* record);
  const Status& status() const { return status_; }

 private:
  bool Fail(int line, std::string message);
  bool AtTrailingBlank() const;

  std::string_view content_;
  std::string display_name_;
  size_t pos_ = 0;
  int line_ = 1;
  bool done_ = false;
  Status status_;
};

struct CsvTable {
  std::vector<std::string> header;
  int header_line = 1;
  std::vector<CsvRecord> records;  // every one has header.size() fields
};

// Reads a whole CSV file whose first record is the header. Errors (InvalidArgument): empty
// input, duplicate header names, a record whose field count differs from the header's, plus
// the reader's own (unterminated quote, stray quote).
StatusOr<CsvTable> ReadCsvTable(std::string_view content, std::string display_name);

}  // namespace augsweep
