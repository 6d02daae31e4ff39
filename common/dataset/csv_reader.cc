#include "common/dataset/csv_reader.h"

#include <map>
#include <utility>

#include "common/dataset/quote.h"

namespace augsweep {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsBlankChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

CsvReader::CsvReader(std::string_view content, std::string display_name)
    : content_(content), display_name_(std::move(display_name)) {
  if (display_name_.empty()) display_name_ = "<csv>";
  if (content_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
}

bool CsvReader::Fail(int line, std::string message) {
  status_ = InvalidArgumentError(display_name_ + ": line " + std::to_string(line) + ": " + message);
  done_ = true;
  return false;
}

bool CsvReader::AtTrailingBlank() const {
  for (size_t i = pos_; i < content_.size(); ++i) {
    if (!IsBlankChar(content_[i])) return false;
  }
  return true;
}

bool CsvReader::Next(CsvRecord* record) {
  if (done_) return false;
  if (AtTrailingBlank()) {
    done_ = true;
    return false;
  }
  record->fields.clear();
  record->line = line_;
  const size_t n = content_.size();

  // Consumes a line end at pos_ if there is one (CRLF, LF, or a lone CR as old Mac files
  // have); returns whether it did.
  auto consume_line_end = [&]() {
    if (pos_ >= n) return false;
    if (content_[pos_] == '\n') {
      ++pos_;
    } else if (content_[pos_] == '\r') {
      ++pos_;
      if (pos_ < n && content_[pos_] == '\n') ++pos_;
    } else {
      return false;
    }
    ++line_;
    return true;
  };

  while (true) {
    const int field_number = static_cast<int>(record->fields.size()) + 1;
    std::string field;
    if (pos_ < n && content_[pos_] == '"') {
      const int open_line = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        const char c = content_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && content_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        // Line ends inside quotes are data, kept verbatim; they still advance the line count.
        if (c == '\n' || (c == '\r' && !(pos_ + 1 < n && content_[pos_ + 1] == '\n'))) ++line_;
        field.push_back(c);
        ++pos_;
      }
      if (!closed) {
        return Fail(open_line, "field " + std::to_string(field_number) +
                                   ": unterminated quoted field (the quote opened on this line is "
                                   "never closed)");
      }
      if (pos_ < n && content_[pos_] != ',' && content_[pos_] != '\n' && content_[pos_] != '\r') {
        return Fail(line_, "field " + std::to_string(field_number) +
                               ": unexpected character after a closing quote; a quote inside a "
                               "quoted field must be doubled (\"\")");
      }
    } else {
      const size_t start = pos_;
      while (pos_ < n) {
        const char c = content_[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') {
          return Fail(line_, "field " + std::to_string(field_number) +
                                 ": stray quote in an unquoted field; quote the whole field "
                                 "(\"...\") and double any quote inside it");
        }
        ++pos_;
      }
      field.assign(content_.substr(start, pos_ - start));
    }
    record->fields.push_back(std::move(field));
    if (pos_ < n && content_[pos_] == ',') {
      ++pos_;
      continue;
    }
    consume_line_end();  // or the end of the input
    return true;
  }
}

StatusOr<CsvTable> ReadCsvTable(std::string_view content, std::string display_name) {
  if (display_name.empty()) display_name = "<csv>";
  CsvReader reader(content, display_name);
  CsvTable table;
  CsvRecord header;
  if (!reader.Next(&header)) {
    if (!reader.status().ok()) return reader.status();
    return InvalidArgumentError(display_name + ": file is empty: expected a header line");
  }
  table.header = std::move(header.fields);
  table.header_line = header.line;

  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < table.header.size(); ++i) {
    auto [it, inserted] = seen.emplace(table.header[i], i);
    if (!inserted) {
      return InvalidArgumentError(display_name + ": line " + std::to_string(table.header_line) +
                                  ": duplicate column name " + QuoteForMessage(table.header[i]) +
                                  " (columns " + std::to_string(it->second + 1) + " and " +
                                  std::to_string(i + 1) + "); column names must be unique");
    }
  }

  CsvRecord record;
  while (reader.Next(&record)) {
    if (record.fields.size() != table.header.size()) {
      std::string hint;
      if (record.fields.size() == 1 && record.fields[0].empty()) hint = " (blank line)";
      return InvalidArgumentError(display_name + ": line " + std::to_string(record.line) +
                                  ": expected " + std::to_string(table.header.size()) +
                                  " fields as in the header, found " +
                                  std::to_string(record.fields.size()) + hint);
    }
    table.records.push_back(std::move(record));
  }
  if (!reader.status().ok()) return reader.status();
  return table;
}

}  // namespace augsweep
