#include "common/dataset/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<CsvRecord> ReadAll(std::string_view content, Status* status) {
  CsvReader reader(content, "t.csv");
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.Next(&record)) records.push_back(record);
  *status = reader.status();
  return records;
}

TEST(CsvReaderTest, QuotedFieldsWithCommaNewlineAndDoubledQuote) {
  Status status;
  auto records =
      ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\nsecond line\"\n2,plain,\"\"\n", &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "x, y", "say \"hi\"\nsecond line"));
  EXPECT_THAT(records[2].fields, ElementsAre("2", "plain", ""));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 4);  // the quoted newline moved it down a line
}

TEST(CsvReaderTest, BomCrlfAndNoFinalNewline) {
  Status status;
  auto records = ReadAll("\xEF\xBB\xBFid,text\r\n1,\"a\r\nb\"\r\n2,c", &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[0].fields, ElementsAre("id", "text"));  // BOM is not part of "id"
  EXPECT_THAT(records[1].fields, ElementsAre("1", "a\r\nb"));
  EXPECT_THAT(records[2].fields, ElementsAre("2", "c"));
  EXPECT_EQ(records[2].line, 4);
}

TEST(CsvReaderTest, TrailingBlankLinesIgnoredAndEmptyLastField) {
  Status status;
  auto records = ReadAll("a,b\n1,\n\n  \r\n\n", &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[1].fields, ElementsAre("1", ""));
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  Status status;
  EXPECT_TRUE(ReadAll("", &status).empty());
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF\n\n", &status).empty());
  EXPECT_TRUE(status.ok());
}

TEST(CsvReaderTest, UnterminatedQuoteNamesOpeningLine) {
  Status status;
  ReadAll("a,b\n1,ok\n2,\"never closed\nmore\nlines\n", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("t.csv: line 3: field 2"));
  EXPECT_THAT(status.message(), HasSubstr("unterminated"));
}

TEST(CsvReaderTest, StrayQuoteInUnquotedField) {
  Status status;
  ReadAll("a,b\n1,ab\"c\n", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("t.csv: line 2: field 2"));
  EXPECT_THAT(status.message(), HasSubstr("stray quote"));
}

TEST(CsvReaderTest, CharacterAfterClosingQuote) {
  Status status;
  ReadAll("a,b\n\"x\"y,1\n", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 2: field 1"));
  EXPECT_THAT(status.message(), HasSubstr("after a closing quote"));
}

TEST(CsvTableTest, ReadsHeaderAndRecords) {
  auto table = ReadCsvTable("id,text\n1,a\n2,b\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_THAT(table->header, ElementsAre("id", "text"));
  ASSERT_EQ(table->records.size(), 2u);
  EXPECT_EQ(table->records[1].line, 3);
}

TEST(CsvTableTest, FieldCountMismatchNamesLineAndCounts) {
  auto table = ReadCsvTable("id,text,labels\n1,a,x\n2,b\n", "t.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(), HasSubstr("t.csv: line 3: expected 3 fields"));
  EXPECT_THAT(table.status().message(), HasSubstr("found 2"));
}

TEST(CsvTableTest, BlankLineInTheMiddleIsReported) {
  auto table = ReadCsvTable("id,text\n1,a\n\n2,b\n", "t.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("line 3: expected 2 fields"));
  EXPECT_THAT(table.status().message(), HasSubstr("blank line"));
}

TEST(CsvTableTest, DuplicateHeaderNames) {
  auto table = ReadCsvTable("id,text,id\n1,a,2\n", "t.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(),
              HasSubstr("line 1: duplicate column name \"id\" (columns 1 and 3)"));
}

TEST(CsvTableTest, EmptyFile) {
  auto table = ReadCsvTable("", "t.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(), HasSubstr("t.csv: file is empty"));
}

}  // namespace
}  // namespace augsweep
