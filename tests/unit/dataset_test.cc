#include "common/dataset/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

DatasetOptions CsvOptions() {
  DatasetOptions o;
  o.path = "data.csv";
  o.id_field = "id";
  o.label_field = "labels";
  return o;
}

DatasetOptions JsonlOptions() {
  DatasetOptions o;
  o.path = "data.jsonl";
  o.format = DatasetFormat::kJsonl;
  o.id_field = "id";
  o.label_field = "labels";
  return o;
}

// Parses and expects InvalidArgument whose message contains every one of `parts`.
void ExpectInvalid(std::string_view content, const DatasetOptions& options,
                   std::vector<std::string> parts) {
  auto result = ParseDataset(content, options);
  ASSERT_FALSE(result.ok()) << "parsed although it should not:\n" << content;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  for (const std::string& part : parts) EXPECT_THAT(result.status().message(), HasSubstr(part));
}

TEST(DatasetCsvTest, QuotedFieldsMultiLabelBomCrlf) {
  const std::string csv =
      "\xEF\xBB\xBFid,text,labels\r\n"
      "a1,\"Short staffed, again.\r\nNights are \"\"hard\"\".\",staffing; workload\r\n"
      "a2,Good mentors,mentoring\r\n";
  auto dataset = ParseDataset(csv, CsvOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("mentoring", "staffing", "workload"));
  ASSERT_EQ(dataset->examples.size(), 2u);
  const Example& first = dataset->examples[0];
  EXPECT_EQ(first.id, "a1");
  EXPECT_EQ(first.text, "Short staffed, again.\r\nNights are \"hard\".");
  EXPECT_THAT(first.labels, ElementsAre(1, 2));
  EXPECT_EQ(first.row, 1);
  EXPECT_EQ(dataset->examples[1].row, 2);
  EXPECT_THAT(dataset->examples[1].labels, ElementsAre(0));
  EXPECT_THAT(ThemePositiveCounts(*dataset), ElementsAre(1, 1, 1));
}

TEST(DatasetCsvTest, LabelsTrimmedEmptyPiecesIgnoredDuplicatesCollapsed) {
  DatasetOptions options = CsvOptions();
  options.label_separator = "|";
  auto dataset = ParseDataset("id,text,labels\n1,t, b || a |b| \n", options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("a", "b"));
  EXPECT_THAT(dataset->examples[0].labels, ElementsAre(0, 1));
}

TEST(DatasetCsvTest, DeclaredThemesKeepTheirOrder) {
  DatasetOptions options = CsvOptions();
  options.themes = {"z", "m", "a"};
  auto dataset = ParseDataset("id,text,labels\n1,t,a;z\n2,u,m\n", options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("z", "m", "a"));
  EXPECT_THAT(dataset->examples[0].labels, ElementsAre(0, 2));
  EXPECT_THAT(ThemePositiveCounts(*dataset), ElementsAre(1, 1, 1));
}

TEST(DatasetCsvTest, InferredThemesAreSorted) {
  auto dataset =
      ParseDataset("id,text,labels\n1,t,pay\n2,u,culture;Zeta\n3,v,alpha\n", CsvOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("Zeta", "alpha", "culture", "pay"));  // byte order
  EXPECT_THAT(dataset->examples[1].labels, ElementsAre(0, 2));
}

TEST(DatasetCsvTest, LabelColumns) {
  DatasetOptions options = CsvOptions();
  options.label_field.clear();
  options.label_columns = {"workload", "mentoring"};
  auto dataset =
      ParseDataset("id,text,workload,mentoring\n1,a,1,0\n2,b, TRUE ,1\n3,c,false,True\n", options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("mentoring", "workload"));
  EXPECT_THAT(dataset->examples[0].labels, ElementsAre(1));
  EXPECT_THAT(dataset->examples[1].labels, ElementsAre(0, 1));
  EXPECT_THAT(dataset->examples[2].labels, ElementsAre(0));
  EXPECT_THAT(ThemePositiveCounts(*dataset), ElementsAre(2, 2));
}

TEST(DatasetCsvTest, IdsDefaultToRowNumbers) {
  DatasetOptions options = CsvOptions();
  options.id_field.clear();
  auto dataset = ParseDataset("text,labels\n\"multi\nline\",a\nsecond,b\n", options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ(dataset->examples[0].id, "1");
  EXPECT_EQ(dataset->examples[1].id, "2");
  EXPECT_EQ(dataset->examples[1].row, 2);
}

TEST(DatasetJsonlTest, ArraysStringsIntegerIdsAndBlankLines) {
  const std::string jsonl =
      "{\"id\": 7, \"text\": \"Too many shifts\", \"labels\": [\"workload\", \"staffing\", "
      "\"workload\"]}\n"
      "\n"
      "{\"id\": \"x-2\", \"text\": \"caf\\u00e9 talk\", \"labels\": \" mentoring \", \"extra\": "
      "{\"a\": [1]}}\r\n"
      "   \n";
  auto dataset = ParseDataset(jsonl, JsonlOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->themes, ElementsAre("mentoring", "staffing", "workload"));
  ASSERT_EQ(dataset->examples.size(), 2u);
  EXPECT_EQ(dataset->examples[0].id, "7");
  EXPECT_THAT(dataset->examples[0].labels, ElementsAre(1, 2));
  EXPECT_EQ(dataset->examples[1].id, "x-2");
  EXPECT_EQ(dataset->examples[1].text, "caf\xC3\xA9 talk");
  EXPECT_EQ(dataset->examples[1].row, 3);  // JSONL rows are line numbers
  EXPECT_THAT(dataset->examples[1].labels, ElementsAre(0));
}

TEST(DatasetJsonlTest, LabelColumnsAcceptBooleansNumbersAndStrings) {
  DatasetOptions options = JsonlOptions();
  options.label_field.clear();
  options.label_columns = {"a", "b", "c"};
  auto dataset = ParseDataset(
      "{\"id\":1,\"text\":\"t\",\"a\":true,\"b\":0,\"c\":\"1\"}\n"
      "{\"id\":2,\"text\":\"u\",\"a\":false,\"b\":1,\"c\":\"FALSE\"}\n",
      options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_THAT(dataset->examples[0].labels, ElementsAre(0, 2));
  EXPECT_THAT(dataset->examples[1].labels, ElementsAre(1));
}

TEST(DatasetFingerprintTest, StableAndSensitiveToText) {
  const std::string csv = "id,text,labels\n1,alpha,a\n2,beta,b;a\n";
  auto d1 = ParseDataset(csv, CsvOptions());
  auto d2 = ParseDataset(csv, CsvOptions());
  ASSERT_TRUE(d1.ok() && d2.ok());
  const std::string fp = DatasetFingerprint(*d1);
  EXPECT_EQ(fp.size(), 64u);
  EXPECT_EQ(fp, DatasetFingerprint(*d2));

  // Same data as JSONL, with different line positions: same fingerprint.
  auto j = ParseDataset(
      "\n{\"id\":\"1\",\"text\":\"alpha\",\"labels\":[\"a\"]}\n{\"id\":\"2\",\"text\":\"beta\","
      "\"labels\":[\"a\",\"b\"]}\n",
      JsonlOptions());
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(DatasetFingerprint(*j), fp);

  auto changed_text = ParseDataset("id,text,labels\n1,alpha,a\n2,betA,b;a\n", CsvOptions());
  ASSERT_TRUE(changed_text.ok());
  EXPECT_NE(DatasetFingerprint(*changed_text), fp);

  // Moving a character between id and text must change the hash (no ambiguous concatenation).
  Dataset a = *d1, b = *d1;
  a.examples[0].id = "1a";
  a.examples[0].text = "lpha";
  EXPECT_NE(DatasetFingerprint(a), fp);
  b.examples[0].labels = {0, 1};
  EXPECT_NE(DatasetFingerprint(b), fp);
}

TEST(DatasetLoadTest, ReadsFileAndReportsMissingFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("augsweep_dataset_test_" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                    std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  DatasetOptions options = CsvOptions();
  options.path = (dir / "survey.csv").string();
  {
    std::ofstream out(options.path, std::ios::binary);
    out << "id,text,labels\n1,hello,a\n";
  }
  auto dataset = LoadDataset(options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ(dataset->examples[0].text, "hello");

  options.path = (dir / "missing.csv").string();
  auto missing = LoadDataset(options);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.csv"));
  std::filesystem::remove_all(dir);
}

// ---- bad inputs: each must be InvalidArgument naming the place and the field ----

TEST(DatasetErrorsTest, InvalidUtf8InCsvText) {
  ExpectInvalid("id,text,labels\n1,ok,a\n2,\"bad \xC0\xAF here\",a\n", CsvOptions(),
                {"data.csv: row 2 (line 3): field \"text\"", "byte offset 4", "overlong"});
}

TEST(DatasetErrorsTest, InvalidUtf8InCsvLabels) {
  ExpectInvalid("id,text,labels\n1,ok,a;\xED\xA0\x80\n", CsvOptions(),
                {"row 1 (line 2): field \"labels\"", "byte offset 2", "surrogate"});
}

TEST(DatasetErrorsTest, InvalidUtf8InJsonlText) {
  ExpectInvalid("{\"id\":1,\"text\":\"ab\xF4\x90\x80\x80\",\"labels\":[\"a\"]}\n", JsonlOptions(),
                {"data.jsonl: line 1: field \"text\"", "byte offset 2 of the value", "U+10FFFF"});
}

TEST(DatasetErrorsTest, InvalidUtf8InJsonlLabels) {
  ExpectInvalid("{\"id\":1,\"text\":\"fine\",\"labels\":[\"a\",\"\xFF\"]}\n{}\n", JsonlOptions(),
                {"data.jsonl: line 1: field \"labels\"", "invalid UTF-8"});
}

TEST(DatasetErrorsTest, EmptyAndWhitespaceText) {
  ExpectInvalid("id,text,labels\n1,ok,a\n2,,a\n", CsvOptions(),
                {"row 2 (line 3): field \"text\": empty text"});
  ExpectInvalid("id,text,labels\n1,\"  \n\t\",a\n", CsvOptions(),
                {"row 1 (line 2): field \"text\": text is only whitespace"});
  ExpectInvalid("{\"id\":1,\"text\":\" \\u00a0 \",\"labels\":\"a\"}\n", JsonlOptions(),
                {"line 1: field \"text\": text is only whitespace"});
}

TEST(DatasetErrorsTest, MissingField) {
  ExpectInvalid("{\"id\":1,\"text\":\"ok\",\"labels\":[\"a\"]}\n{\"id\":2,\"labels\":[\"a\"]}\n",
                JsonlOptions(), {"data.jsonl: line 2: field \"text\": missing"});
  ExpectInvalid("{\"id\":1,\"text\":\"ok\"}\n", JsonlOptions(),
                {"line 1: field \"labels\": missing"});
  ExpectInvalid("id,body,labels\n1,ok,a\n", CsvOptions(),
                {"data.csv: line 1 (header): missing column \"text\"", "text_field", "\"body\""});
}

TEST(DatasetErrorsTest, UnknownLabelListsDeclaredThemes) {
  DatasetOptions options = CsvOptions();
  options.themes = {"a", "b", "c"};
  ExpectInvalid("id,text,labels\n1,ok,a\n2,ok,b;staffing\n", options,
                {"data.csv: row 2 (line 3): field \"labels\": unknown theme \"staffing\" (declared "
                 "themes: a, b, c)"});
  DatasetOptions jsonl = JsonlOptions();
  jsonl.themes = {"a"};
  ExpectInvalid("{\"id\":1,\"text\":\"ok\",\"labels\":[\"b\"]}\n", jsonl,
                {"line 1: field \"labels\": unknown theme \"b\" (declared themes: a)"});
}

TEST(DatasetErrorsTest, RowWithoutLabel) {
  ExpectInvalid("id,text,labels\n1,ok,a\n2,ok, ; \n", CsvOptions(),
                {"row 2 (line 3): field \"labels\"",
                 "row has no label; every example needs at least one theme"});
  ExpectInvalid("{\"id\":1,\"text\":\"ok\",\"labels\":[]}\n", JsonlOptions(),
                {"line 1", "row has no label"});
  DatasetOptions options = CsvOptions();
  options.label_field.clear();
  options.label_columns = {"x", "y"};
  ExpectInvalid("id,text,x,y\n1,ok,0,0\n", options,
                {"row 1 (line 2): label columns \"x\", \"y\"", "row has no label"});
}

TEST(DatasetErrorsTest, DuplicateIdsNameBothRows) {
  ExpectInvalid("id,text,labels\n7,a,x\n8,b,x\n 7 ,c,x\n", CsvOptions(),
                {"row 3 (line 4): field \"id\": duplicate id \"7\"", "row 1 (line 2)"});
  // A JSON integer id and the same digits as a string are the same id.
  ExpectInvalid(
      "{\"id\":5,\"text\":\"a\",\"labels\":\"x\"}\n{\"id\":\"5\",\"text\":\"b\",\"labels\":\"x\"}"
      "\n",
      JsonlOptions(), {"line 2: field \"id\": duplicate id \"5\" (first used at line 1)"});
}

TEST(DatasetErrorsTest, LabelColumnsRejectNonFlags) {
  DatasetOptions options = CsvOptions();
  options.label_field.clear();
  options.label_columns = {"x", "y"};
  ExpectInvalid("id,text,x,y\n1,ok,1,yes\n", options,
                {"row 1 (line 2): field \"y\": expected 0 or 1 (or true/false), got \"yes\""});
  ExpectInvalid("id,text,x,y\n1,ok,1,\n", options, {"field \"y\"", "got \"\""});
  DatasetOptions jsonl = JsonlOptions();
  jsonl.label_field.clear();
  jsonl.label_columns = {"x"};
  ExpectInvalid("{\"id\":1,\"text\":\"ok\",\"x\":2}\n", jsonl,
                {"line 1: field \"x\": expected 0 or 1", "\"2\""});
  ExpectInvalid("{\"id\":1,\"text\":\"ok\",\"x\":null}\n", jsonl,
                {"line 1: field \"x\"", "got null"});
}

TEST(DatasetErrorsTest, EmptyDataset) {
  ExpectInvalid("id,text,labels\n", CsvOptions(), {"data.csv: dataset is empty"});
  ExpectInvalid("", CsvOptions(), {"data.csv", "empty"});
  ExpectInvalid("\n  \n", JsonlOptions(), {"data.jsonl: dataset is empty"});
}

TEST(DatasetErrorsTest, JsonlWrongTypes) {
  ExpectInvalid("[1,2]\n", JsonlOptions(),
                {"data.jsonl: line 1: expected a JSON object", "an array"});
  ExpectInvalid(
      "{\"id\":1,\"text\":\"a\",\"labels\":\"x\"}\n{\"id\":2,\"text\":3,\"labels\":\"x\"}\n",
      JsonlOptions(), {"line 2: field \"text\": expected a string, got an integer"});
  ExpectInvalid("{\"id\":1.5,\"text\":\"a\",\"labels\":\"x\"}\n", JsonlOptions(),
                {"line 1: field \"id\": expected a string or an integer, got a number"});
  ExpectInvalid("{\"id\":1,\"text\":\"a\",\"labels\":[\"x\",4]}\n", JsonlOptions(),
                {"line 1: field \"labels\": element 1: expected a string, got an integer"});
  ExpectInvalid(
      "{\"id\":1,\"text\":\"a\",\"labels\":{\"x\":1}}\n", JsonlOptions(),
      {"line 1: field \"labels\": expected an array of strings or a string, got an object"});
  ExpectInvalid("{\"id\":1,\"text\":\"a\",\"labels\":\"x\"}\n{\"id\":2,\"text\":\"b\",\n",
                JsonlOptions(), {"data.jsonl: line 2: invalid JSON"});
}

TEST(DatasetErrorsTest, CsvStructureErrorsCarryThePath) {
  ExpectInvalid("id,text,labels\n1,\"open,a\n", CsvOptions(), {"data.csv: line 2", "unterminated"});
  ExpectInvalid("id,text,labels\n1,a\n", CsvOptions(),
                {"data.csv: line 2: expected 3 fields", "found 2"});
}

TEST(DatasetErrorsTest, BadOptions) {
  DatasetOptions both = CsvOptions();
  both.label_columns = {"x"};
  ExpectInvalid("id,text,labels,x\n1,a,b,1\n", both,
                {"exactly one of label_field or label_columns"});
  DatasetOptions neither = CsvOptions();
  neither.label_field.clear();
  ExpectInvalid("id,text\n1,a\n", neither, {"exactly one of label_field or label_columns"});
  DatasetOptions twice = CsvOptions();
  twice.themes = {"a", "a"};
  ExpectInvalid("id,text,labels\n1,a,a\n", twice, {"theme \"a\" is declared twice"});
  DatasetOptions undeclared_column = CsvOptions();
  undeclared_column.label_field.clear();
  undeclared_column.label_columns = {"x", "y"};
  undeclared_column.themes = {"x"};
  ExpectInvalid("id,text,x,y\n1,a,1,0\n", undeclared_column,
                {"label column \"y\" is not a declared theme"});
}

// ---- robustness: no input may crash the parser ----

TEST(DatasetRobustnessTest, RandomAndMutatedInputsReturnAStatus) {
  std::mt19937 rng(12345);
  const std::string alphabet = "\",;\n\r{}[]:\\ a1x\xC3\xA9\xED\xA0\xF4\x90\xEF\xBB\xBF\x80";
  DatasetOptions csv = CsvOptions();
  DatasetOptions csv_columns = CsvOptions();
  csv_columns.label_field.clear();
  csv_columns.label_columns = {"x", "y"};
  DatasetOptions jsonl = JsonlOptions();
  DatasetOptions jsonl_columns = JsonlOptions();
  jsonl_columns.label_field.clear();
  jsonl_columns.label_columns = {"x", "y"};
  DatasetOptions declared = CsvOptions();
  declared.themes = {"x", "y"};
  const std::vector<const DatasetOptions*> all_options = {&csv, &csv_columns, &jsonl,
                                                          &jsonl_columns, &declared};
  // Valid inputs, each with the options that parse it; mutations start from these.
  const std::vector<std::pair<std::string, const DatasetOptions*>> seeds = {
      {"\xEF\xBB\xBFid,text,labels\r\n1,\"a, \"\"b\"\"\nc\",x;y\r\n2,d,y\r\n", &csv},
      {"id,text,labels\n1,a,x\n2,b,y;x\n3,c,y\n", &declared},
      {"id,text,x,y\n1,a,1,0\n2,b,true,false\n", &csv_columns},
      {"{\"id\":1,\"text\":\"a\",\"labels\":[\"x\",\"y\"]}\n\n{\"id\":\"2\",\"text\":\"b\\u00e9\","
       "\"labels\":\"y\"}\n",
       &jsonl},
      {"{\"id\":1,\"text\":\"a\",\"x\":1,\"y\":false}\n{\"id\":2,\"text\":\"b\",\"x\":\"0\",\"y\":"
       "true}\n",
       &jsonl_columns},
  };

  int ok = 0, failed = 0;
  auto check = [&](const std::string& input, const DatasetOptions& options) {
    auto result = ParseDataset(input, options);
    if (!result.ok()) {
      ++failed;
      EXPECT_FALSE(result.status().message().empty());
      return;
    }
    ++ok;
    // Whatever parses must satisfy the documented invariants.
    ASSERT_FALSE(result->examples.empty());
    for (const Example& e : result->examples) {
      ASSERT_FALSE(e.labels.empty());
      ASSERT_TRUE(std::is_sorted(e.labels.begin(), e.labels.end()));
      for (int label : e.labels) ASSERT_LT(static_cast<size_t>(label), result->themes.size());
    }
  };
  for (int iteration = 0; iteration < 4000; ++iteration) {
    if (iteration % 4 == 0) {
      // Random bytes, half of them drawn from structural characters.
      std::string input;
      const size_t length = rng() % 80;
      for (size_t i = 0; i < length; ++i) {
        input.push_back(rng() % 2 ? alphabet[rng() % alphabet.size()]
                                  : static_cast<char>(rng() % 256));
      }
      for (const DatasetOptions* options : all_options) check(input, *options);
      continue;
    }
    const auto& [seed, seed_options] = seeds[rng() % seeds.size()];
    std::string input = seed;
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations && !input.empty(); ++m) {
      const size_t at = rng() % input.size();
      switch (rng() % 4) {
        case 0:
          input[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          input.erase(at, 1 + rng() % 3);
          break;
        case 2:
          input.insert(at, 1, static_cast<char>(rng() % 256));
          break;
        default:
          input.resize(at);
          break;  // truncate
      }
    }
    check(input, *seed_options);
    check(input, *all_options[rng() % all_options.size()]);
  }
  // Both outcomes must actually be exercised, or the test proves little.
  EXPECT_GT(ok, 100);
  EXPECT_GT(failed, 100);
}

}  // namespace
}  // namespace augsweep
