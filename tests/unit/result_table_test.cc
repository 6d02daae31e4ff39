#include "cli/result_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/progress_bar.h"
#include "cli/progress_view.h"
#include "cli/text_listing.h"

namespace augsweep::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::ResultRow Row(const std::string& generator, double temperature, int n, int folds, double mean,
                  double sd, double low, double high, double delta,
                  const std::vector<double>& fold_aucs) {
  v1::ResultRow row;
  row.set_generator(generator);
  row.set_temperature(temperature);
  row.set_augment_count(n);
  row.set_classifier("roberta");
  row.set_folds(folds);
  row.set_planned_folds(folds);
  row.set_mean_auc(mean);
  row.set_sd_auc(sd);
  row.set_ci95_low(low);
  row.set_ci95_high(high);
  row.set_delta_vs_baseline(delta);
  for (double auc : fold_aucs) row.add_fold_aucs(auc);
  return row;
}

// A baseline and two augmented cells; no value sits on a rounding tie at 3 decimals.
v1::GetResultsResponse ThreeRows(bool complete = true) {
  v1::GetResultsResponse results;
  results.set_sweep_id("sw-42");
  results.set_complete(complete);
  *results.add_rows() =
      Row("", 0, 0, 5, 0.8123, 0.0211, 0.7862, 0.8384, 0, {0.79, 0.8, 0.81, 0.83, 0.8315});
  v1::ResultRow* llama = results.add_rows();
  *llama = Row("llama-7b", 0.7, 100, 5, 0.87, 0.02, 0.8452, 0.8948, 0.0577,
               {0.85, 0.86, 0.87, 0.88, 0.89});
  llama->set_paired_folds(5);
  llama->set_delta_ci95_low(0.03);
  llama->set_delta_ci95_high(0.0854);
  llama->set_p_value(0.004);
  llama->set_p_holm(0.008);
  llama->set_verdict("helps");
  v1::ResultRow* alpaca = results.add_rows();
  *alpaca = Row("alpaca-13b", 1.0, 10, 4, 0.8011, 0.0306, 0.7526, 0.8496, -0.0112,
                {0.78, 0.79, 0.8, 0.8344});
  alpaca->set_paired_folds(4);
  alpaca->set_delta_ci95_low(-0.05);
  alpaca->set_delta_ci95_high(0.0276);
  alpaca->set_p_value(0.41);
  alpaca->set_p_holm(0.41);
  alpaca->set_verdict("no evidence");
  alpaca->set_planned_folds(5);
  alpaca->set_failed_folds(1);  // 4 of 5 folds: marked, never shown as complete
  results.set_test("t");
  results.set_best_row(1);
  return results;
}

TEST(ParseTableFormatTest, KnownAndUnknownNames) {
  EXPECT_EQ(*ParseTableFormat("table"), TableFormat::kTable);
  EXPECT_EQ(*ParseTableFormat("csv"), TableFormat::kCsv);
  EXPECT_EQ(*ParseTableFormat("json"), TableFormat::kJson);
  EXPECT_EQ(*ParseTableFormat("markdown"), TableFormat::kMarkdown);
  EXPECT_EQ(*ParseTableFormat("md"), TableFormat::kMarkdown);
  auto bad = ParseTableFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "unknown format \"xml\"; expected one of: table, csv, json, markdown");
  EXPECT_FALSE(ParseTableFormat("CSV ").ok());
}

// The expected tables stay readable as tables.
// clang-format off
TEST(FormatResultsTest, Table) {
  EXPECT_EQ(FormatResults(ThreeRows(), TableFormat::kTable),
            "generator   temperature    n  classifier  folds  mean AUC     SD       95% CI  vs baseline       Δ 95% CI  p (Holm)  verdict      note\n"
            "----------  -----------  ---  ----------  -----  --------  -----  -----------  -----------  -------------  --------  -----------  --------\n"
            "(baseline)            -    0  roberta         5     0.812  0.021  0.786–0.838            -              -         -  -\n"
            "llama-7b            0.7  100  roberta         5     0.870  0.020  0.845–0.895       +0.058  +0.030–+0.085     0.008  helps        best\n"
            "alpaca-13b          1.0   10  roberta       4/5     0.801  0.031  0.753–0.850       -0.011  -0.050–+0.028     0.410  no evidence  1 failed\n"
            "\n"
            "p: corrected resampled t-test (Nadeau & Bengio 2003) against the classifier's baseline on the same folds, Holm-adjusted over 2 rows\n"
            "best: llama-7b T=0.7 n=100 roberta, mean AUC 0.870 (95% CI 0.845–0.895); 0 rows tied with it (paired p >= 0.05)\n");
}
// clang-format on

TEST(FormatResultsTest, PartialTableSaysSo) {
  const std::string out = FormatResults(ThreeRows(/*complete=*/false), TableFormat::kTable);
  EXPECT_EQ(out, FormatResults(ThreeRows(), TableFormat::kTable) +
                     "partial: the sweep has not finished, some cells have no results yet\n");
}

// The expected tables stay readable as tables.
// clang-format off
TEST(FormatResultsTest, Markdown) {
  EXPECT_EQ(FormatResults(ThreeRows(), TableFormat::kMarkdown),
            "| generator  | temperature |   n | classifier | folds | mean AUC |    SD |      95% CI | vs baseline |      Δ 95% CI | p (Holm) | verdict     | note     |\n"
            "| :--------- | ----------: | --: | :--------- | ----: | -------: | ----: | ----------: | ----------: | ------------: | -------: | :---------- | :------- |\n"
            "| (baseline) |           - |   0 | roberta    |     5 |    0.812 | 0.021 | 0.786–0.838 |           - |             - |        - | -           |          |\n"
            "| llama-7b   |         0.7 | 100 | roberta    |     5 |    0.870 | 0.020 | 0.845–0.895 |      +0.058 | +0.030–+0.085 |    0.008 | helps       | best     |\n"
            "| alpaca-13b |         1.0 |  10 | roberta    |   4/5 |    0.801 | 0.031 | 0.753–0.850 |      -0.011 | -0.050–+0.028 |    0.410 | no evidence | 1 failed |\n"
            "\n"
            "_p: corrected resampled t-test (Nadeau & Bengio 2003) against the classifier's baseline on the same folds, Holm-adjusted over 2 rows_\n"
            "\n"
            "_best: llama-7b T=0.7 n=100 roberta, mean AUC 0.870 (95% CI 0.845–0.895); 0 rows tied with it (paired p >= 0.05)_\n");
}
// clang-format on

TEST(FormatResultsTest, PartialMarkdownEndsWithANoteAfterABlankLine) {
  const std::string out = FormatResults(ThreeRows(/*complete=*/false), TableFormat::kMarkdown);
  EXPECT_EQ(out, FormatResults(ThreeRows(), TableFormat::kMarkdown) +
                     "\n_partial: the sweep has not finished, some cells have no results yet_\n");
}

TEST(FormatResultsTest, Csv) {
  EXPECT_EQ(
      FormatResults(ThreeRows(/*complete=*/false), TableFormat::kCsv),
      "generator,temperature,augment_count,classifier,folds,planned_folds,failed_folds,"
      "pending_folds,short_folds,mean_auc,sd_auc,ci95_low,ci95_high,delta_vs_baseline,paired_folds,"
      "delta_"
      "ci95_low,delta_ci95_high,p_value,p_holm,verdict,best,tied_with_best,fold_aucs\r\n"
      ",,0,roberta,5,5,0,0,0,0.8123,0.0211,0.7862,0.8384,,,,,,,,false,false,0.79;0.8;0.81;0.83;"
      "0.8315\r\n"
      "llama-7b,0.7,100,roberta,5,5,0,0,0,0.87,0.02,0.8452,0.8948,0.0577,5,0.03,0.0854,0.004,0."
      "008,helps,true,false,0.85;0.86;0.87;0.88;0.89\r\n"
      "alpaca-13b,1,10,roberta,4,5,1,0,0,0.8011,0.0306,0.7526,0.8496,-0.0112,4,-0.05,0.0276,0."
      "41,0.41,no evidence,false,false,0.78;0.79;0.8;0.8344\r\n");
}

TEST(FormatResultsTest, Json) {
  EXPECT_EQ(FormatResults(ThreeRows(), TableFormat::kJson), R"({
  "sweep_id": "sw-42",
  "complete": true,
  "test": "t",
  "themes": [],
  "rows": [
    {
      "generator": null,
      "temperature": null,
      "augment_count": 0,
      "classifier": "roberta",
      "folds": 5,
      "planned_folds": 5,
      "failed_folds": 0,
      "pending_folds": 0,
      "short_folds": 0,
      "mean_auc": 0.8123,
      "sd_auc": 0.0211,
      "ci95_low": 0.7862,
      "ci95_high": 0.8384,
      "delta_vs_baseline": null,
      "paired_folds": null,
      "delta_ci95_low": null,
      "delta_ci95_high": null,
      "p_value": null,
      "p_holm": null,
      "verdict": null,
      "best": false,
      "tied_with_best": false,
      "fold_aucs": [
        0.79,
        0.8,
        0.81,
        0.83,
        0.8315
      ]
    },
    {
      "generator": "llama-7b",
      "temperature": 0.7,
      "augment_count": 100,
      "classifier": "roberta",
      "folds": 5,
      "planned_folds": 5,
      "failed_folds": 0,
      "pending_folds": 0,
      "short_folds": 0,
      "mean_auc": 0.87,
      "sd_auc": 0.02,
      "ci95_low": 0.8452,
      "ci95_high": 0.8948,
      "delta_vs_baseline": 0.0577,
      "paired_folds": 5,
      "delta_ci95_low": 0.03,
      "delta_ci95_high": 0.0854,
      "p_value": 0.004,
      "p_holm": 0.008,
      "verdict": "helps",
      "best": true,
      "tied_with_best": false,
      "fold_aucs": [
        0.85,
        0.86,
        0.87,
        0.88,
        0.89
      ]
    },
    {
      "generator": "alpaca-13b",
      "temperature": 1.0,
      "augment_count": 10,
      "classifier": "roberta",
      "folds": 4,
      "planned_folds": 5,
      "failed_folds": 1,
      "pending_folds": 0,
      "short_folds": 0,
      "mean_auc": 0.8011,
      "sd_auc": 0.0306,
      "ci95_low": 0.7526,
      "ci95_high": 0.8496,
      "delta_vs_baseline": -0.0112,
      "paired_folds": 4,
      "delta_ci95_low": -0.05,
      "delta_ci95_high": 0.0276,
      "p_value": 0.41,
      "p_holm": 0.41,
      "verdict": "no evidence",
      "best": false,
      "tied_with_best": false,
      "fold_aucs": [
        0.78,
        0.79,
        0.8,
        0.8344
      ]
    }
  ]
}
)");
}

// Numbers that need all 17 significant digits must survive CSV and JSON exactly.
v1::GetResultsResponse AwkwardNumbers() {
  v1::GetResultsResponse results;
  results.set_sweep_id("sw-\"quoted\"");
  results.set_complete(false);
  *results.add_rows() = Row("", 0, 0, 3, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0 - 0.4, 0.9999999999999999,
                            0, {std::nextafter(0.5, 1.0), 0.1 + 0.7, 1e-300});
  *results.add_rows() = Row("gen, \"v2\"", 0.1 + 0.2, 7, 3, 0.7 / 0.9, 0.015625, 0.3,
                            0.30000000000000004, -1.0 / 7.0, {0.25, 0.123456789012345678, 1.0});
  return results;
}

TEST(FormatResultsTest, JsonParsesBackToTheSameNumbers) {
  const v1::GetResultsResponse results = AwkwardNumbers();
  const nlohmann::json doc = nlohmann::json::parse(FormatResults(results, TableFormat::kJson));
  EXPECT_EQ(doc["sweep_id"], "sw-\"quoted\"");
  EXPECT_EQ(doc["complete"], false);
  ASSERT_EQ(doc["rows"].size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const v1::ResultRow& row = results.rows(i);
    const nlohmann::json& r = doc["rows"][i];
    EXPECT_EQ(r["augment_count"].get<int>(), row.augment_count());
    EXPECT_EQ(r["classifier"].get<std::string>(), row.classifier());
    EXPECT_EQ(r["folds"].get<int>(), row.folds());
    EXPECT_EQ(r["mean_auc"].get<double>(), row.mean_auc());
    EXPECT_EQ(r["sd_auc"].get<double>(), row.sd_auc());
    EXPECT_EQ(r["ci95_low"].get<double>(), row.ci95_low());
    EXPECT_EQ(r["ci95_high"].get<double>(), row.ci95_high());
    ASSERT_EQ(r["fold_aucs"].size(), static_cast<size_t>(row.fold_aucs_size()));
    for (int f = 0; f < row.fold_aucs_size(); ++f) {
      EXPECT_EQ(r["fold_aucs"][f].get<double>(), row.fold_aucs(f)) << i << "/" << f;
    }
  }
  EXPECT_TRUE(doc["rows"][0]["generator"].is_null());
  EXPECT_TRUE(doc["rows"][0]["temperature"].is_null());
  EXPECT_TRUE(doc["rows"][0]["delta_vs_baseline"].is_null());
  EXPECT_EQ(doc["rows"][1]["generator"], "gen, \"v2\"");
  EXPECT_EQ(doc["rows"][1]["temperature"].get<double>(), 0.1 + 0.2);
  EXPECT_EQ(doc["rows"][1]["delta_vs_baseline"].get<double>(), -1.0 / 7.0);
}

TEST(FormatResultsTest, CsvQuotesAndKeepsFullPrecision) {
  const std::string csv = FormatResults(AwkwardNumbers(), TableFormat::kCsv);
  EXPECT_THAT(csv, HasSubstr("\r\n,,0,roberta,3,3,0,0,0,0.30000000000000004,0.3333333333333333,"
                             "0.2666666666666666,0.9999999999999999,,,,,,,,false,false,"
                             "0.5000000000000001;0.7999999999999999;1e-300\r\n"));
  EXPECT_THAT(csv, HasSubstr("\r\n\"gen, \"\"v2\"\"\",0.30000000000000004,7,roberta,3,"));
  // Parse every number of the second record back.
  const size_t start = csv.find("\"gen");
  std::string record = csv.substr(start + std::string("\"gen, \"\"v2\"\"\",").size());
  record = record.substr(0, record.find("\r\n"));
  std::vector<std::string> fields;
  for (size_t pos = 0;;) {
    const size_t comma = record.find(',', pos);
    fields.push_back(record.substr(pos, comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  ASSERT_EQ(fields.size(), 22u);
  const v1::GetResultsResponse results = AwkwardNumbers();  // kept: rows(1) refers into it
  const v1::ResultRow& row = results.rows(1);
  EXPECT_EQ(std::stod(fields[0]), row.temperature());
  EXPECT_EQ(fields[4], "3") << "planned folds";
  EXPECT_EQ(fields[7], "0") << "short folds";
  EXPECT_EQ(std::stod(fields[8]), row.mean_auc());
  EXPECT_EQ(std::stod(fields[9]), row.sd_auc());
  EXPECT_EQ(std::stod(fields[10]), row.ci95_low());
  EXPECT_EQ(std::stod(fields[11]), row.ci95_high());
  EXPECT_EQ(std::stod(fields[12]), row.delta_vs_baseline());
  EXPECT_EQ(fields[13], "0") << "paired folds: none compared";
  for (int f = 14; f < 19; ++f) EXPECT_EQ(fields[f], "") << f;
  EXPECT_EQ(fields[19], "false") << "best";
  EXPECT_EQ(fields[20], "false") << "tied with best";
  EXPECT_EQ(fields[21], "0.25;0.12345678901234568;1");
  EXPECT_EQ(std::stod("0.12345678901234568"), row.fold_aucs(1));
}

TEST(FormatResultsTest, CsvQuotesNewlinesAndLeavesPlainFieldsBare) {
  v1::GetResultsResponse results;
  *results.add_rows() = Row("line1\nline2", 0.5, 1, 1, 0.5, 0, 0.5, 0.5, 0, {0.5});
  EXPECT_THAT(FormatResults(results, TableFormat::kCsv),
              HasSubstr("\r\n\"line1\nline2\",0.5,1,roberta,1,1,0,0,0,0.5,0,0.5,0.5,0,0,,,,,,false,"
                        "false,0.5\r\n"));
}

// The expected tables stay readable as tables.
// clang-format off
TEST(FormatResultsTest, NotANumberShowsAsNaEmptyOrNull) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  v1::GetResultsResponse results;
  results.set_complete(true);
  *results.add_rows() = Row("g", 0.7, 10, 1, 0.75, nan, nan, nan, 0.05, {0.75});
  const std::string table = FormatResults(results, TableFormat::kTable);
  EXPECT_THAT(
      table,
      HasSubstr(
          "g                  0.7  10  roberta         1     0.750  n/a     n/a       +0.050         -         -  -\n"));
  EXPECT_THAT(FormatResults(results, TableFormat::kCsv),
              HasSubstr("\r\ng,0.7,10,roberta,1,1,0,0,0,0.75,,,,0.05,0,,,,,,false,false,0.75\r\n"));
  const nlohmann::json doc = nlohmann::json::parse(FormatResults(results, TableFormat::kJson));
  EXPECT_TRUE(doc["rows"][0]["sd_auc"].is_null());
  EXPECT_TRUE(doc["rows"][0]["ci95_low"].is_null());
  EXPECT_EQ(doc["rows"][0]["mean_auc"].get<double>(), 0.75);
}
// clang-format on

TEST(FormatResultsTest, MarkdownEscapesPipesAndTablesFlattenNewlines) {
  v1::GetResultsResponse results;
  results.set_complete(true);
  *results.add_rows() = Row("a|b\nc", 0.7, 10, 1, 0.75, 0.01, 0.7, 0.8, 0.0004, {0.75});
  EXPECT_THAT(FormatResults(results, TableFormat::kMarkdown), HasSubstr("\n| a\\|b c    |"));
  const std::string table = FormatResults(results, TableFormat::kTable);
  EXPECT_THAT(table, HasSubstr("\na|b c              0.7  10  roberta"));
  EXPECT_THAT(table, HasSubstr("0.700–0.800       +0.000         -         -  -\n"));
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 3);
}

TEST(FormatResultsTest, TinyNegativeDeltaIsNotMinusZero) {
  v1::GetResultsResponse results;
  results.set_complete(true);
  *results.add_rows() = Row("g", 1, 10, 1, 0.75, 0.01, 0.7, 0.8, -0.0004, {0.75});
  EXPECT_THAT(FormatResults(results, TableFormat::kTable), HasSubstr(" +0.000   "));
  EXPECT_THAT(FormatResults(results, TableFormat::kTable), Not(HasSubstr("-0.000")));
}

TEST(FormatResultsTest, NonAsciiNamesStayAligned) {
  v1::GetResultsResponse results;
  results.set_complete(true);
  *results.add_rows() = Row("modèle-ü", 1, 10, 1, 0.75, 0.01, 0.7, 0.8, 0.01, {0.75});
  *results.add_rows() = Row("plain", 1, 10, 1, 0.75, 0.01, 0.7, 0.8, 0.01, {0.75});
  const std::string table = FormatResults(results, TableFormat::kTable);
  // "modèle-ü" is 8 columns wide though 10 bytes long: padded to 9 like "plain" is.
  EXPECT_THAT(table, HasSubstr("\nmodèle-ü           1.0  10  roberta"));
  EXPECT_THAT(table, HasSubstr("\nplain              1.0  10  roberta"));
}

TEST(FormatResultsTest, InvalidUtf8DoesNotThrowFromJson) {
  v1::GetResultsResponse results;
  *results.add_rows() = Row("bad\xff", 1, 10, 1, 0.75, 0.01, 0.7, 0.8, 0.01, {0.75});
  const std::string json = FormatResults(results, TableFormat::kJson);
  const nlohmann::json doc = nlohmann::json::parse(json);
  EXPECT_EQ(doc["rows"][0]["generator"], "bad\xEF\xBF\xBD");  // U+FFFD
}

// The expected tables stay readable as tables.
// clang-format off
TEST(FormatResultsTest, EmptyResults) {
  v1::GetResultsResponse results;
  results.set_sweep_id("s");
  results.set_complete(true);
  EXPECT_EQ(FormatResults(results, TableFormat::kTable),
            "generator  temperature  n  classifier  folds  mean AUC  SD  95% CI  vs baseline  Δ 95% CI  p (Holm)  verdict  note\n"
            "---------  -----------  -  ----------  -----  --------  --  ------  -----------  --------  --------  -------  ----\n");
  EXPECT_EQ(FormatResults(results, TableFormat::kJson),
            "{\n  \"sweep_id\": \"s\",\n  \"complete\": true,\n  \"test\": null,\n  \"themes\": [],\n"
            "  \"rows\": []\n}\n");
}
// clang-format on

// Two themes on ThreeRows, with their per-theme means, and two folds per row.
v1::GetResultsResponse WithThemesAndFolds() {
  v1::GetResultsResponse results = ThreeRows();
  results.add_themes("staffing");
  results.add_themes("pay, benefits");
  for (int i = 0; i < results.rows_size(); ++i) {
    v1::ResultRow* row = results.mutable_rows(i);
    for (int t = 0; t < 2; ++t) {
      v1::ThemeResult* theme = row->add_per_theme();
      theme->set_theme(results.themes(t));
      theme->set_folds(5 - t);
      theme->set_mean_auc(0.75 + 0.05 * i + 0.01 * t);
      if (i > 0) theme->set_delta_vs_baseline(0.05 * i);
    }
    for (int f = 0; f < 2; ++f) {
      v1::FoldResult* fold = row->add_fold_results();
      fold->set_fold(f);
      fold->set_state(i == 2 && f == 1 ? "failed" : "ok");
      if (i > 0) fold->set_baseline_auc(results.rows(0).fold_aucs(f));
      if (fold->state() != "ok") continue;
      fold->set_macro_auc(row->fold_aucs(f));
      v1::ThemeFoldAuc* theme = fold->add_per_theme();
      theme->set_theme("staffing");
      theme->set_auc(0.5 + 0.1 * f);
    }
  }
  return results;
}

TEST(FormatResultsTest, PerThemeAddsAColumnPerTheme) {
  ResultView view;
  view.per_theme = true;
  const std::string table = FormatResults(WithThemesAndFolds(), TableFormat::kTable, view);
  EXPECT_THAT(table, HasSubstr("  staffing  pay, benefits  note\n"));
  EXPECT_THAT(table, HasSubstr("  -                   0.750          0.760\n"))
      << "baseline: means";
  EXPECT_THAT(table, HasSubstr("  0.800 +0.050   0.810 +0.050  best\n"));
  const std::string csv = FormatResults(WithThemesAndFolds(), TableFormat::kCsv, view);
  EXPECT_THAT(csv, HasSubstr(",auc[staffing],delta[staffing],folds[staffing],"
                             "\"auc[pay, benefits]\",\"delta[pay, benefits]\","
                             "\"folds[pay, benefits]\",fold_aucs\r\n"));
  EXPECT_THAT(csv, HasSubstr(",0.75,,5,0.76,,4,"));
  const nlohmann::json doc =
      nlohmann::json::parse(FormatResults(WithThemesAndFolds(), TableFormat::kJson, view));
  EXPECT_EQ(doc["themes"][1], "pay, benefits");
  EXPECT_DOUBLE_EQ(doc["rows"][2]["auc[pay, benefits]"].get<double>(), 0.86);
  EXPECT_DOUBLE_EQ(doc["rows"][2]["delta[staffing]"].get<double>(), 0.1);
  EXPECT_TRUE(doc["rows"][0]["delta[staffing]"].is_null());
  // Without --per-theme, no theme column.
  EXPECT_THAT(FormatResults(WithThemesAndFolds(), TableFormat::kCsv), Not(HasSubstr("staffing")));
}

TEST(FormatResultsTest, FoldsGiveARowPerCellAndFold) {
  ResultView view;
  view.folds = true;
  const nlohmann::json doc =
      nlohmann::json::parse(FormatResults(WithThemesAndFolds(), TableFormat::kJson, view));
  ASSERT_EQ(doc["rows"].size(), 6u);
  const nlohmann::json& llama1 = doc["rows"][3];
  EXPECT_EQ(llama1["generator"], "llama-7b");
  EXPECT_EQ(llama1["fold"], 1);
  EXPECT_EQ(llama1["state"], "ok");
  EXPECT_DOUBLE_EQ(llama1["macro_auc"].get<double>(), 0.86);
  EXPECT_DOUBLE_EQ(llama1["baseline_auc"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(llama1["delta"].get<double>(), 0.86 - 0.8);
  EXPECT_TRUE(doc["rows"][0]["baseline_auc"].is_null());
  EXPECT_EQ(doc["rows"][5]["state"], "failed");
  EXPECT_TRUE(doc["rows"][5]["macro_auc"].is_null());
  const std::string table = FormatResults(WithThemesAndFolds(), TableFormat::kTable, view);
  EXPECT_THAT(table, HasSubstr("repeat  fold  state     AUC  baseline  vs baseline\n"));
  EXPECT_THAT(table, HasSubstr("     0     1  failed      -     0.800            -\n"));
  view.per_theme = true;
  const std::string csv = FormatResults(WithThemesAndFolds(), TableFormat::kCsv, view);
  EXPECT_THAT(csv, HasSubstr(",auc[staffing],\"auc[pay, benefits]\"\r\n"));
  EXPECT_THAT(csv, HasSubstr(",0,1,ok,false,0.86,0.8,0.05999999999999994,0.6,\r\n"));
}

TEST(FormatResultsTest, FiltersAddAColumnAndShortRowsSaySo) {
  v1::GetResultsResponse results = ThreeRows();
  results.mutable_rows(1)->set_filter("none");
  results.mutable_rows(2)->set_filter("checked");
  results.mutable_rows(2)->set_short_folds(2);
  const std::string table = FormatResults(results, TableFormat::kTable);
  EXPECT_THAT(table, HasSubstr("generator   temperature  filter     n  classifier"));
  EXPECT_THAT(table, HasSubstr("alpaca-13b          1.0  checked   10  roberta"));
  EXPECT_THAT(table, HasSubstr("best: llama-7b T=0.7 filter=none n=100 roberta"));
  EXPECT_THAT(table, HasSubstr("1 failed, 2 short of n"));
  const nlohmann::json doc = nlohmann::json::parse(FormatResults(results, TableFormat::kJson));
  EXPECT_TRUE(doc["rows"][0]["filter"].is_null());
  EXPECT_EQ(doc["rows"][1]["filter"], "none");
  EXPECT_EQ(doc["rows"][2]["short_folds"], 2);
  // Without filters there is no filter column.
  EXPECT_THAT(FormatResults(ThreeRows(), TableFormat::kCsv), Not(HasSubstr("filter")));
  ResultView by_filter;
  by_filter.group_by = "filter";
  EXPECT_THAT(FormatResults(results, TableFormat::kMarkdown, by_filter),
              HasSubstr("**filter: checked**"));
}

TEST(FormatResultsTest, SortAndGroupBy) {
  v1::GetResultsResponse results = ThreeRows();
  *results.add_rows() = Row("", 0, 0, 5, 0.7, 0.01, 0.69, 0.71, 0, {0.7, 0.7, 0.7, 0.7, 0.7});
  results.mutable_rows(3)->set_classifier("bert");
  auto generators = [](const std::string& csv) {
    std::vector<std::string> out;
    size_t pos = csv.find("\r\n") + 2;
    while (pos < csv.size()) {
      const size_t end = csv.find("\r\n", pos);
      const std::string record = csv.substr(pos, end - pos);
      const size_t n = record.find(",", record.find(",") + 1);
      out.push_back(record.substr(0, record.find(",")) + "/" +
                    record.substr(n + 1, record.find(",", n + 1) - n - 1));
      pos = end + 2;
    }
    return out;
  };
  ResultView view;
  view.sort = "auc";
  EXPECT_THAT(generators(FormatResults(results, TableFormat::kCsv, view)),
              ::testing::ElementsAre("llama-7b/100", "/0", "alpaca-13b/10", "/0"));
  view.sort = "p";
  EXPECT_THAT(generators(FormatResults(results, TableFormat::kCsv, view)),
              ::testing::ElementsAre("llama-7b/100", "alpaca-13b/10", "/0", "/0"));
  view.sort = "n";
  view.group_by = "classifier";
  EXPECT_THAT(generators(FormatResults(results, TableFormat::kCsv, view)),
              ::testing::ElementsAre("/0", "alpaca-13b/10", "llama-7b/100", "/0"));
  const std::string table = FormatResults(results, TableFormat::kTable, view);
  EXPECT_THAT(table, HasSubstr("-\nclassifier: roberta\n(baseline)"));
  EXPECT_THAT(table, HasSubstr("best\n\nclassifier: bert\n(baseline)"));
  const std::string markdown = FormatResults(results, TableFormat::kMarkdown, view);
  EXPECT_THAT(markdown, ::testing::StartsWith("**classifier: roberta**\n\n| generator"));
  EXPECT_THAT(markdown, HasSubstr("|\n\n**classifier: bert**\n\n| generator"));
}

TEST(ValidateResultViewTest, NamesTheValidValues) {
  ResultView view;
  EXPECT_TRUE(ValidateResultView(view).ok());
  view.sort = "mean";
  EXPECT_EQ(ValidateResultView(view).message(),
            "--sort: unknown \"mean\"; expected auc, delta, p, generator, temperature, n, filter "
            "or classifier");
  view.sort = "delta";
  view.group_by = "fold";
  EXPECT_EQ(ValidateResultView(view).message(),
            "--group-by: unknown \"fold\"; expected generator, temperature, n, filter or "
            "classifier");
}

v1::GetTextsResponse SomeTexts() {
  v1::GetTextsResponse texts;
  v1::GenerateJobTexts* job = texts.add_jobs();
  job->set_job_key("gen-0123456789abcdef");
  job->set_generator("llama-7b");
  job->set_temperature(0.7);
  job->set_fold(2);
  job->set_state("ok");
  job->set_wall_seconds(12.25);
  v1::ThemeGeneration* theme = job->add_themes();
  theme->set_theme("staffing");
  theme->set_wanted(3);
  theme->set_kept(2);
  theme->set_dropped(1);
  theme->set_shortfall(1);
  v1::TextView* kept = job->add_texts();
  kept->set_theme("staffing");
  kept->set_text("Too few nurses, \"always\"");
  kept->set_prompt("Write about staffing:\n-");
  kept->set_raw_completion(" Too few nurses, \"always\"\n- more");
  kept->set_cut(true);
  theme->set_cut(1);
  v1::TextView* dropped = job->add_dropped();
  dropped->set_theme("staffing");
  dropped->set_dropped_because("duplicate");
  dropped->set_text("Too few nurses, \"always\"");
  v1::GenerateJobTexts* pending = texts.add_jobs();
  pending->set_job_key("gen-pending");
  pending->set_generator("llama-7b");
  pending->set_temperature(1);
  pending->set_state("pending");
  return texts;
}

TEST(FormatTextsTest, TableListsCountsKeptAndDropped) {
  const std::string table = FormatTexts(SomeTexts(), TextsFormat::kTable, /*full=*/false);
  EXPECT_EQ(table,
            "llama-7b  T=0.7  repeat 0 fold 2  (ok, 12.2 s)  job gen-01234567\n"
            "  staffing: kept 2/3, dropped 1, short by 1, 1 kept cut at max_new_tokens\n"
            "  kept:\n"
            "    [staffing] (cut) Too few nurses, \"always\"\n"
            "  dropped:\n"
            "    [staffing] (duplicate) Too few nurses, \"always\"\n"
            "\n"
            "llama-7b  T=1  repeat 0 fold 0  (pending)  job gen-pending\n");
  const std::string full = FormatTexts(SomeTexts(), TextsFormat::kTable, /*full=*/true);
  EXPECT_THAT(full, HasSubstr("      prompt:\n        Write about staffing:\n        -\n"
                              "      raw completion:\n         Too few nurses, \"always\"\n"
                              "        - more\n"));
}

TEST(FormatTextsTest, MeasuresAuditSummaryAndFindings) {
  v1::GetTextsResponse texts = SomeTexts();
  v1::GenerateJobTexts* job = texts.mutable_jobs(0);
  v1::SetMeasures* m = job->mutable_measures();
  m->set_distinct_1(0.625);
  m->set_distinct_2(0.9);
  m->set_mean_pairwise_jaccard(0.125);
  m->set_length_mean(12.25);
  m->set_length_sd(3);
  m->set_nearest_real_mean(0.2);
  m->set_nearest_real_p90(0.35);
  m->set_nearest_real_max(0.5);
  v1::PrivacyAudit* a = job->mutable_audit();
  a->set_span_threshold(8);
  a->set_longest_span_words(9);
  a->set_share_with_long_span(0.25);
  a->set_texts_with_rare_tokens(2);
  v1::AuditView* f = job->add_audit_findings();
  f->set_theme("staffing");
  f->set_text("as the night nurse on ward seven said");
  f->set_longest_span_words(7);
  f->set_span("the night nurse on ward seven said");
  f->add_rare_tokens("seven");
  const std::string table = FormatTexts(texts, TextsFormat::kTable, false);
  EXPECT_THAT(table,
              HasSubstr("  measures: distinct-1 0.62, distinct-2 0.90, pairwise Jaccard 0.12, "
                        "length 12.2 ± 3.0 words, nearest real text (Jaccard) mean 0.20 p90 "
                        "0.35 max 0.50\n"
                        "  audit: longest span shared with a real text 9 words, 25.0% of texts "
                        "share 8+, 2 repeat words of only one real text\n"
                        "  worst by the audit:\n"
                        "    [staffing] span 7: \"the night nurse on ward seven said\"; rare: "
                        "seven\n"
                        "      as the night nurse on ward seven said\n"
                        "  kept:\n"));
  const std::string jsonl = FormatTexts(texts, TextsFormat::kJsonl, false);
  const nlohmann::json first = nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')));
  EXPECT_DOUBLE_EQ(first["job"]["measures"]["distinct_1"].get<double>(), 0.625);
  EXPECT_EQ(first["job"]["audit"]["longest_span_words"], 9);
  const size_t second_end = jsonl.find('\n', jsonl.find('\n') + 1);
  const nlohmann::json finding =
      nlohmann::json::parse(jsonl.substr(jsonl.find('\n') + 1, second_end - jsonl.find('\n') - 1));
  EXPECT_EQ(finding["audit_finding"]["span"], "the night nurse on ward seven said");
  EXPECT_EQ(finding["audit_finding"]["rare_tokens"][0], "seven");
}

TEST(FormatTextsTest, AGeneratorThatIgnoresTemperatureShowsAny) {
  v1::GetTextsResponse texts = SomeTexts();
  texts.mutable_jobs(0)->set_temperature_ignored(true);
  EXPECT_THAT(FormatTexts(texts, TextsFormat::kTable, false),
              ::testing::StartsWith("llama-7b  T=any  repeat 0 fold 2"));
  EXPECT_THAT(FormatTexts(texts, TextsFormat::kCsv, false),
              HasSubstr("\r\ngen-0123456789abcdef,llama-7b,,0,2,staffing,"));
  const std::string jsonl = FormatTexts(texts, TextsFormat::kJsonl, false);
  EXPECT_TRUE(
      nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')))["job"]["temperature"].is_null());
}

TEST(FormatTextsTest, AFilterJobShowsItsChecksRelabelsAndDrops) {
  v1::GetTextsResponse texts;
  v1::GenerateJobTexts* job = texts.add_jobs();
  job->set_job_key("filter-0123456789ab");
  job->set_generator("llama-7b");
  job->set_temperature(0.7);
  job->set_filter("checked");
  job->set_source_job("gen-0123456789abcdef");
  job->set_state("ok");
  job->set_wall_seconds(0.4);
  v1::ThemeGeneration* theme = job->add_themes();
  theme->set_theme("staffing");
  theme->set_wanted(3);
  theme->set_kept(1);
  theme->set_dropped(2);
  theme->set_shortfall(2);
  theme->set_relabelled(1);
  v1::CheckDrops* drops = theme->add_check_drops();
  drops->set_check("duplicates");
  drops->set_dropped(1);
  drops = theme->add_check_drops();
  drops->set_check("label_consistency");
  drops->set_dropped(1);
  v1::TextView* kept = job->add_texts();
  kept->set_theme("staffing");
  kept->set_text("Short of nurses and of pay");
  kept->add_labels("staffing");
  kept->add_labels("pay");
  v1::TextView* dropped = job->add_dropped();
  dropped->set_theme("staffing");
  dropped->set_text("Wages are low");
  dropped->set_dropped_because("off label");
  dropped->set_dropped_by("label_consistency");
  EXPECT_EQ(FormatTexts(texts, TextsFormat::kTable, false),
            "llama-7b  T=0.7  filter checked  repeat 0 fold 0  (ok, 0.4 s)  job filter-01234\n"
            "  staffing: kept 1/3, dropped 2 (duplicates 1, label_consistency 1), relabelled 1, "
            "short by 2\n"
            "  kept:\n"
            "    [staffing] (relabelled staffing;pay) Short of nurses and of pay\n"
            "  dropped:\n"
            "    [staffing] (label_consistency: off label) Wages are low\n");
  const std::string jsonl = FormatTexts(texts, TextsFormat::kJsonl, false);
  const nlohmann::json first = nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')));
  EXPECT_EQ(first["job"]["filter"], "checked");
  EXPECT_EQ(first["job"]["source_job"], "gen-0123456789abcdef");
  EXPECT_EQ(first["job"]["themes"][0]["check_drops"]["label_consistency"], 1);
  EXPECT_EQ(first["job"]["themes"][0]["relabelled"], 1);
  EXPECT_THAT(FormatTexts(texts, TextsFormat::kCsv, false),
              HasSubstr(",checked,label_consistency,\r\n"));
}

TEST(FormatTextsTest, CsvAndJsonl) {
  const std::string csv = FormatTexts(SomeTexts(), TextsFormat::kCsv, false);
  EXPECT_EQ(csv,
            "job_key,generator,temperature,repeat,fold,theme,kept,dropped_because,cut,text,prompt,"
            "raw_completion,filter,dropped_by,labels\r\n"
            "gen-0123456789abcdef,llama-7b,0.7,0,2,staffing,true,,true,\"Too few nurses, "
            "\"\"always\"\"\","
            "\"Write about staffing:\n-\",\" Too few nurses, \"\"always\"\"\n- more\",,,\r\n"
            "gen-0123456789abcdef,llama-7b,0.7,0,2,staffing,false,duplicate,false,"
            "\"Too few nurses, \"\"always\"\"\",,,,,\r\n");
  std::vector<nlohmann::json> lines;
  const std::string jsonl = FormatTexts(SomeTexts(), TextsFormat::kJsonl, false);
  for (size_t pos = 0; pos < jsonl.size();) {
    const size_t end = jsonl.find('\n', pos);
    lines.push_back(nlohmann::json::parse(jsonl.substr(pos, end - pos)));
    pos = end + 1;
  }
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["job"]["themes"][0]["shortfall"], 1);
  EXPECT_EQ(lines[1]["text"]["kept"], true);
  EXPECT_EQ(lines[1]["text"]["cut"], true);
  EXPECT_EQ(lines[0]["job"]["themes"][0]["cut"], 1);
  EXPECT_EQ(lines[1]["text"]["raw_completion"], " Too few nurses, \"always\"\n- more");
  EXPECT_EQ(lines[2]["text"]["dropped_because"], "duplicate");
  EXPECT_EQ(lines[3]["job"]["state"], "pending");
  EXPECT_EQ(*ParseTextsFormat("jsonl"), TextsFormat::kJsonl);
  EXPECT_EQ(ParseTextsFormat("json").status().message(),
            "unknown format \"json\"; expected one of: table, csv, jsonl");
}

v1::SweepStatus RunningStatus(int generated, int trained) {
  v1::SweepStatus status;
  status.set_sweep_id("sw-1");
  status.set_name("demo");
  status.set_state(v1::SWEEP_STATE_RUNNING);
  status.set_eta_seconds(125);
  status.set_active_workers(2);
  v1::StageCounts* generate = status.add_stages();
  generate->set_stage("generate");
  generate->set_succeeded(generated);
  generate->set_ready(10 - generated);
  v1::StageCounts* train = status.add_stages();
  train->set_stage("train_eval");
  train->set_succeeded(trained);
  train->set_leased(2);
  train->set_failed(1);
  train->set_waiting(40 - trained - 3);
  return status;
}

TEST(ProgressViewTest, FrameShowsBarsRateEtaWorkersAndErrors) {
  ProgressView view;
  view.Observe(RunningStatus(4, 6), 1'000'000);
  v1::SweepStatus later = RunningStatus(10, 16);
  later.add_recent_errors("job train-ab12: out of memory\n(attempt 3)");
  view.Observe(later, 1'030'000);  // 16 more jobs in 30 s
  EXPECT_DOUBLE_EQ(view.JobsPerMinute(), 32.0);
  v1::ListWorkersResponse workers;
  v1::WorkerInfo* busy = workers.add_workers();
  busy->set_hostname("gpu01");
  busy->set_device("cuda");
  busy->set_current_job("train-ab12");
  v1::WorkerInfo* idle = workers.add_workers();
  idle->set_hostname("gpu02");
  idle->set_device("cuda");
  EXPECT_EQ(
      view.Frame(workers),
      "sweep sw-1 (demo): RUNNING\n"
      "  generate   [##############################] 10/10 jobs  0 running, 0 failed, 0 blocked\n"
      "  train_eval [############------------------] 17/40 jobs  2 running, 1 failed, 0 blocked\n"
      "  32.0 jobs/min   eta 2m05s   workers 2\n"
      "  gpu01 (cuda): train-ab12\n"
      "  gpu02 (cuda): idle\n"
      "  error: job train-ab12: out of memory (attempt 3)\n");
  EXPECT_THAT(view.Frame(workers, /*max_workers=*/1), HasSubstr("  ... 1 more workers\n"));
}

TEST(ProgressViewTest, RateNeedsTwoSnapshotsAndForgetsTheOldOnes) {
  ProgressView view;
  EXPECT_EQ(view.JobsPerMinute(), -1);
  view.Observe(RunningStatus(0, 0), 0);
  EXPECT_EQ(view.JobsPerMinute(), -1);
  view.Observe(RunningStatus(10, 0), 60'000);
  EXPECT_DOUBLE_EQ(view.JobsPerMinute(), 10.0);
  // A minute of no progress later, the burst at the start has left the window.
  view.Observe(RunningStatus(10, 0), 120'000);
  view.Observe(RunningStatus(10, 0), 130'000);
  EXPECT_DOUBLE_EQ(view.JobsPerMinute(), 0.0);
  EXPECT_THAT(view.Frame(v1::ListWorkersResponse()), HasSubstr("  0.0 jobs/min   eta 2m05s"));
}

TEST(ProgressViewTest, PlainLinesOnlyWhenSomethingChanged) {
  ProgressView view;
  view.Observe(RunningStatus(4, 6), 3'723'000);  // 01:02:03 UTC
  EXPECT_EQ(view.PlainLineIfChanged(3'723'000),
            "01:02:03 sw-1 RUNNING generate 4/10 train_eval 7/40 (1 failed)  - jobs/min  eta "
            "2m05s\n");
  view.Observe(RunningStatus(4, 6), 3'724'000);
  EXPECT_EQ(view.PlainLineIfChanged(3'724'000), "");
  v1::SweepStatus done = RunningStatus(10, 37);
  done.set_state(v1::SWEEP_STATE_FAILED);
  done.set_eta_seconds(0);
  view.Observe(done, 3'733'000);
  EXPECT_THAT(view.PlainLineIfChanged(3'733'000), HasSubstr(" FAILED generate 10/10 "));
}

TEST(ProgressViewTest, DurationsAndExitCodes) {
  EXPECT_EQ(FormatDuration(-1), "unknown");
  EXPECT_EQ(FormatDuration(42), "42s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(3720), "1h02m");
  EXPECT_EQ(ExitCodeForFinalState(v1::SWEEP_STATE_SUCCEEDED), 0);
  EXPECT_EQ(ExitCodeForFinalState(v1::SWEEP_STATE_FAILED), 1);
  EXPECT_EQ(ExitCodeForFinalState(v1::SWEEP_STATE_CANCELLED), 3);
}

TEST(ProgressBarTest, Typical) {
  EXPECT_EQ(RenderProgressBar(8, 20, 20, "generate"),
            "[########------------]  8/20 jobs  generate");
  EXPECT_EQ(RenderProgressBar(10, 20, 10, ""), "[#####-----] 10/20 jobs");
}

TEST(ProgressBarTest, RoundsDownSoOnlyAllDoneIsFull) {
  EXPECT_EQ(RenderProgressBar(19, 20, 10, ""), "[#########-] 19/20 jobs");
  EXPECT_EQ(RenderProgressBar(20, 20, 10, ""), "[##########] 20/20 jobs");
  EXPECT_EQ(RenderProgressBar(1, 615, 10, ""), "[----------]   1/615 jobs");
}

TEST(ProgressBarTest, EdgeCases) {
  EXPECT_EQ(RenderProgressBar(0, 0, 5, "idle"), "[-----] 0/0 jobs  idle");
  EXPECT_EQ(RenderProgressBar(3, 0, 5, ""), "[-----] 0/0 jobs");
  EXPECT_EQ(RenderProgressBar(25, 20, 4, ""), "[####] 20/20 jobs");  // done > total: clamped
  EXPECT_EQ(RenderProgressBar(-3, 20, 4, ""), "[----]  0/20 jobs");
  EXPECT_EQ(RenderProgressBar(5, 10, 0, "x"), " 5/10 jobs  x");  // no room for a bar
  EXPECT_EQ(RenderProgressBar(5, 10, -7, ""), " 5/10 jobs");
  EXPECT_EQ(RenderProgressBar(5, -1, 3, ""), "[---] 0/0 jobs");
  // No int overflow for a wide bar on a huge sweep.
  EXPECT_EQ(RenderProgressBar(2000000000, 2000000000, 3, ""), "[###] 2000000000/2000000000 jobs");
}

}  // namespace
}  // namespace augsweep::cli
