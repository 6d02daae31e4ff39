#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/spec/sweep_spec.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("augsweep_spec_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    fs::create_directories(dir_ / "models" / "tiny-llama");
    fs::create_directories(dir_ / "models" / "roberta");
    Write("data/survey.csv", "id,text,themes\n1,a,x\n");
    Write("plain.txt", "Examples of {theme}:\n{examples}\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  std::string SpecPath() const { return (dir_ / "study.yaml").string(); }
  StatusOr<ParsedSpec> Parse(const std::string& yaml) { return ParseSweepSpec(yaml, SpecPath()); }

  // Parses `yaml`, expects InvalidArgument, returns the message.
  std::string ErrorOf(const std::string& yaml) {
    StatusOr<ParsedSpec> r = Parse(yaml);
    EXPECT_FALSE(r.ok()) << yaml;
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return r.status().message();
  }

  fs::path dir_;
};

constexpr const char* kFullSpec = R"(name: study
dataset:
  path: data/survey.csv
  id_field: id
  label_field: themes
  themes: [x, y]
cv: {folds: 4, repeats: 2, seed: 9}
seed: 11
generators:
  - name: tiny
    kind: llama
    model: models/tiny-llama
    dtype: bfloat16
    prompt_template: plain.txt
    max_new_tokens: 40
    top_p: 0.9
    top_k: 50
    examples_per_prompt: 4
  - {name: eda, kind: eda, alpha: 0.2}
temperatures: [1.0, 0.7]
augment_counts: [100, 0, 10]
classifiers:
  - name: roberta
    kind: roberta
    model: models/roberta
    learning_rate: 3e-5
    batch_size: 8
  - {name: tfidf, kind: tfidf-logreg}
resources:
  generate: {device: cuda, min_memory_mb: 16000}
)";

TEST_F(SpecTest, ParsesAndResolvesAFullSpec) {
  StatusOr<ParsedSpec> r = Parse(kFullSpec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::SweepSpec& s = r->spec;
  EXPECT_EQ(s.name(), "study");
  EXPECT_EQ(s.dataset().path(), (dir_ / "data" / "survey.csv").string());
  EXPECT_EQ(s.dataset().format(), v1::DatasetSpec::CSV);
  EXPECT_EQ(s.dataset().label_field(), "themes");
  EXPECT_EQ(s.dataset().label_separator(), ";");
  EXPECT_EQ(s.cv().folds(), 4);
  EXPECT_EQ(s.cv().repeats(), 2);
  EXPECT_EQ(s.cv().seed(), 9u);
  EXPECT_EQ(s.seed(), 11u);
  ASSERT_EQ(s.generators_size(), 2);
  EXPECT_EQ(s.generators(0).model_dir(), (dir_ / "models" / "tiny-llama").string());
  EXPECT_EQ(s.generators(0).prompt_template(), "Examples of {theme}:\n{examples}\n");
  EXPECT_EQ(s.generators(0).top_k(), 50);
  EXPECT_DOUBLE_EQ(s.generators(0).repetition_penalty(), 1.0);
  EXPECT_DOUBLE_EQ(s.generators(0).min_p(), 0.0) << "off unless given";
  EXPECT_EQ(s.generators(0).samples_per_prompt(), 1);
  EXPECT_DOUBLE_EQ(s.generators(0).presence_penalty(), 0.0);
  EXPECT_DOUBLE_EQ(s.generators(0).frequency_penalty(), 0.0);
  EXPECT_DOUBLE_EQ(s.generators(1).eda_alpha(), 0.2);
  EXPECT_EQ(s.temperatures_size(), 2);
  ASSERT_EQ(s.augment_counts_size(), 3);
  EXPECT_EQ(s.augment_counts(0), 0) << "counts are sorted";
  EXPECT_EQ(s.augment_counts(2), 100);
  EXPECT_DOUBLE_EQ(s.classifiers(0).learning_rate(), 3e-5);
  EXPECT_EQ(s.classifiers(0).batch_size(), 8);
  EXPECT_EQ(s.classifiers(0).max_length(), 128) << "default filled in";
  EXPECT_EQ(s.classifiers(1).model_dir(), "");
  EXPECT_EQ(s.generate_resources().device(), "cuda");
  EXPECT_EQ(s.generate_resources().min_memory_mb(), 16000);
  EXPECT_EQ(s.train_eval_resources().device(), "any");
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(SpecTest, SamplingControlsAreRead) {
  std::string spec = kFullSpec;
  spec.replace(spec.find("top_k: 50"), 9,
               "top_k: 50\n    min_p: 0.05\n    presence_penalty: 0.5\n    frequency_penalty: -0.25"
               "\n    stop: [\"###\", \"\\n\\n\"]\n    bad_words: [\"Sure\", \"Here is\"]\n    "
               "samples_per_prompt: 4");
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->spec.generators(0).min_p(), 0.05);
  EXPECT_DOUBLE_EQ(r->spec.generators(0).presence_penalty(), 0.5);
  EXPECT_DOUBLE_EQ(r->spec.generators(0).frequency_penalty(), -0.25);
  ASSERT_EQ(r->spec.generators(0).stop_size(), 2);
  EXPECT_EQ(r->spec.generators(0).stop(0), "###");
  EXPECT_EQ(r->spec.generators(0).stop(1), "\n\n");
  ASSERT_EQ(r->spec.generators(0).bad_words_size(), 2);
  EXPECT_EQ(r->spec.generators(0).bad_words(1), "Here is");
  EXPECT_EQ(r->spec.generators(0).samples_per_prompt(), 4);
  EXPECT_EQ(r->spec.generators(0).max_batch(), 0) << "from free memory unless given";
  std::string batched = kFullSpec;
  batched.replace(batched.find("top_k: 50"), 9, "top_k: 50\n    max_batch: 48");
  EXPECT_EQ(Parse(batched)->spec.generators(0).max_batch(), 48);
  batched.replace(batched.find("max_batch: 48"), 13, "max_batch: 0");
  EXPECT_THAT(ErrorOf(batched), HasSubstr("generators[0].max_batch: expected an integer from 1"));
}

TEST_F(SpecTest, ChatFormatIsReadWithItsDefaults) {
  std::string spec = kFullSpec;
  EXPECT_EQ(Parse(spec)->spec.generators(0).prompt_format(), "") << "plain: nothing set";
  EXPECT_EQ(Parse(spec)->spec.generators(0).clean_size(), 0);
  spec.replace(spec.find("top_k: 50"), 9,
               "top_k: 50\n    prompt_format: chat\n    system: \"You write {theme} comments.\"");
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::GeneratorSpec& g = r->spec.generators(0);
  EXPECT_EQ(g.prompt_format(), "chat");
  EXPECT_EQ(g.system_prompt(), "You write {theme} comments.");
  ASSERT_EQ(g.clean_size(), 3) << "every cleaning rule unless the spec says otherwise";
  std::string no_cleaning = spec;
  no_cleaning.replace(no_cleaning.find("prompt_format: chat"), 19,
                      "prompt_format: chat\n    clean: []");
  EXPECT_EQ(Parse(no_cleaning)->spec.generators(0).clean_size(), 0);
}

TEST_F(SpecTest, LlamaDtypeDefaultsToBfloat16) {
  std::string spec = kFullSpec;
  spec.erase(spec.find("    dtype: bfloat16\n"), 20);
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.generators(0).dtype(), "bfloat16");
}

TEST_F(SpecTest, ChatFormatErrorsNameTheField) {
  std::string spec = kFullSpec;
  std::string bad_format = spec;
  bad_format.replace(bad_format.find("top_k: 50"), 9, "top_k: 50\n    prompt_format: instruct");
  EXPECT_THAT(ErrorOf(bad_format),
              HasSubstr("generators[0].prompt_format: expected \"plain\" or \"chat\", got "
                        "\"instruct\""));
  std::string plain_with_system = spec;
  plain_with_system.replace(plain_with_system.find("top_k: 50"), 9, "top_k: 50\n    system: hello");
  EXPECT_THAT(ErrorOf(plain_with_system),
              HasSubstr("generators[0].system: only used with prompt_format: chat"));
  std::string bad_rule = spec;
  bad_rule.replace(bad_rule.find("top_k: 50"), 9,
                   "top_k: 50\n    prompt_format: chat\n    clean: [quotes, emojis]");
  EXPECT_THAT(ErrorOf(bad_rule), HasSubstr("generators[0].clean: expected rules of quotes, "
                                           "list_markers, preamble, got \"emojis\""));
}

TEST_F(SpecTest, FiltersAreReadWithTheirDefaults) {
  std::string spec = std::string(kFullSpec) + R"(filters:
  - name: none
  - name: checked
    sanity: true
    duplicates: {threshold: 0.8}
    label_consistency: {}
  - name: relabel-roberta
    sanity: false
    label_consistency: {classifier: roberta, threshold: 0.3, action: relabel}
)";
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::SweepSpec& s = r->spec;
  ASSERT_EQ(s.filters_size(), 3);
  EXPECT_FALSE(s.filters(0).has_sanity() || s.filters(0).has_duplicates() ||
               s.filters(0).has_label_consistency());
  const v1::FilterSpec& checked = s.filters(1);
  EXPECT_EQ(checked.sanity().min_words(), 3);
  EXPECT_EQ(checked.sanity().max_words(), 200);
  EXPECT_DOUBLE_EQ(checked.sanity().min_letter_share(), 0.5);
  EXPECT_DOUBLE_EQ(checked.sanity().echo_jaccard(), 0.9);
  EXPECT_DOUBLE_EQ(checked.duplicates().threshold(), 0.8);
  EXPECT_EQ(checked.duplicates().shingle_words(), 2);
  // The default label classifier is the spec's own tf-idf classifier, as resolved.
  EXPECT_EQ(checked.label_consistency().classifier().name(), "tfidf");
  EXPECT_EQ(checked.label_consistency().classifier().epochs(), s.classifiers(1).epochs());
  EXPECT_DOUBLE_EQ(checked.label_consistency().threshold(), 0.5);
  EXPECT_EQ(checked.label_consistency().action(), "drop");
  const v1::FilterSpec& relabel = s.filters(2);
  EXPECT_FALSE(relabel.has_sanity());
  EXPECT_EQ(relabel.label_consistency().classifier().model_dir(), s.classifiers(0).model_dir());
  EXPECT_EQ(relabel.label_consistency().action(), "relabel");
  EXPECT_TRUE(ValidateResolvedSpec(s).ok());
}

TEST_F(SpecTest, WithoutATfidfClassifierTheLabelCheckUsesTfidfDefaults) {
  std::string spec = kFullSpec;
  spec.replace(spec.find("  - {name: tfidf, kind: tfidf-logreg}\n"),
               std::string("  - {name: tfidf, kind: tfidf-logreg}\n").size(), "");
  spec += "filters:\n  - {name: label, label_consistency: {threshold: 0.4}}\n";
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::ClassifierSpec& c = r->spec.filters(0).label_consistency().classifier();
  EXPECT_EQ(c.kind(), "tfidf-logreg");
  EXPECT_EQ(c.epochs(), 200);
  EXPECT_TRUE(c.model_dir().empty());
}

TEST_F(SpecTest, FilterErrorsNameTheField) {
  const std::string spec = kFullSpec;
  EXPECT_THAT(ErrorOf(spec + "filters:\n  - {name: a, dedupe: {}}\n"),
              HasSubstr("filters[0].dedupe: unknown key"));
  EXPECT_THAT(ErrorOf(spec + "filters:\n  - {name: a}\n  - {name: a}\n"),
              HasSubstr("filters[1].name: name \"a\" is used twice"));
  EXPECT_THAT(ErrorOf(spec + "filters:\n  - {name: a, duplicates: {threshold: 1.5}}\n"),
              HasSubstr("filters[0].duplicates.threshold"));
  EXPECT_THAT(ErrorOf(spec + "filters:\n  - {name: a, sanity: {min_words: 9, max_words: 4}}\n"),
              HasSubstr("filters[0].sanity.max_words: expected max_words >= min_words"));
  EXPECT_THAT(
      ErrorOf(spec + "filters:\n  - {name: a, label_consistency: {classifier: bert}}\n"),
      HasSubstr("filters[0].label_consistency.classifier: no classifier named \"bert\"; the "
                "spec has: roberta, tfidf"));
  EXPECT_THAT(
      ErrorOf(spec + "filters:\n  - {name: a, label_consistency: {action: keep}}\n"),
      HasSubstr("filters[0].label_consistency.action: expected drop or relabel, got \"keep\""));
  EXPECT_THAT(ErrorOf(spec + "filters:\n  - {name: a, sanity: 3}\n"),
              HasSubstr("filters[0].sanity: expected true or false"));
  EXPECT_THAT(ErrorOf(spec + "filters: []\n"), HasSubstr("filters: expected a non-empty list"));
}

TEST_F(SpecTest, ValidateResolvedSpecKeepsTheParsersRanges) {
  StatusOr<ParsedSpec> r = Parse(kFullSpec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  v1::SweepSpec s = r->spec;
  s.mutable_cv()->set_folds(1'000'000'000);
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("folds 2 to 100 and repeats 1 to 100"));
  s = r->spec;
  s.mutable_cv()->set_repeats(101);
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("folds 2 to 100 and repeats 1 to 100"));
  s = r->spec;
  s.add_augment_counts(2'000'000);
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("augment counts must be 0 to 1000000"));
}

TEST_F(SpecTest, ValidateResolvedSpecChecksFilters) {
  StatusOr<ParsedSpec> r =
      Parse(std::string(kFullSpec) + "filters:\n  - {name: a, label_consistency: {}}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  v1::SweepSpec s = r->spec;
  s.mutable_filters(0)->mutable_label_consistency()->set_action("keep");
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("action must be drop or relabel"));
  s = r->spec;
  s.mutable_filters(0)->mutable_label_consistency()->mutable_classifier()->set_kind("svm");
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("a classifier of a known kind"));
  s = r->spec;
  s.add_filters()->set_name("a");
  EXPECT_THAT(ValidateResolvedSpec(s).message(), HasSubstr("non-empty and unique"));
}

TEST_F(SpecTest, BaselineOnlySpecNeedsNoGenerators) {
  StatusOr<ParsedSpec> r = Parse(
      "dataset: {path: data/survey.csv, label_field: themes}\n"
      "augment_counts: [0]\n"
      "classifiers: [{name: t, kind: tfidf-logreg}]\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.name(), "study") << "defaults to the file's stem";
  EXPECT_EQ(r->spec.cv().folds(), 5);
}

TEST_F(SpecTest, UnknownKeyNamesLinePathAndSuggestion) {
  std::string spec = kFullSpec;
  spec.replace(spec.find("temperatures:"), 13, "tempratures:");
  std::string m = ErrorOf(spec);
  EXPECT_THAT(
      m, HasSubstr("study.yaml:20: tempratures: unknown key (did you mean \"temperatures\"?)"));
}

TEST_F(SpecTest, UnknownNestedKeyAndKindSpecificKeys) {
  std::string spec = kFullSpec;
  spec.replace(spec.find("top_k: 50"), 9, "topk: 50");
  EXPECT_THAT(ErrorOf(spec), HasSubstr("study.yaml:17: generators[0].topk: unknown key"));
  spec = kFullSpec;
  spec.replace(spec.find("alpha: 0.2"), 10, "top_p: 0.2");
  EXPECT_THAT(ErrorOf(spec), HasSubstr("generators[1].top_p: unknown key"));
}

TEST_F(SpecTest, WrongTypesAndRanges) {
  auto with = [&](const std::string& from, const std::string& to) {
    std::string spec = kFullSpec;
    spec.replace(spec.find(from), from.size(), to);
    return ErrorOf(spec);
  };
  EXPECT_THAT(with("folds: 4", "folds: four"),
              HasSubstr("study.yaml:7: cv.folds: expected an integer from 2 to 100, got \"four\""));
  EXPECT_THAT(with("folds: 4", "folds: 1"),
              HasSubstr("cv.folds: expected an integer from 2 to 100, got 1"));
  EXPECT_THAT(with("top_p: 0.9", "top_p: 1.5"),
              HasSubstr("generators[0].top_p: expected a number from 0 to 1"));
  EXPECT_THAT(with("top_k: 50", "top_k: 50\n    min_p: 1.2"),
              HasSubstr("generators[0].min_p: expected a number from 0 to 1"));
  EXPECT_THAT(with("top_k: 50", "top_k: 50\n    presence_penalty: 2.5"),
              HasSubstr("generators[0].presence_penalty: expected a number from -2 to 2"));
  EXPECT_THAT(with("top_k: 50", "top_k: 50\n    frequency_penalty: -3"),
              HasSubstr("generators[0].frequency_penalty: expected a number from -2 to 2"));
  EXPECT_THAT(with("top_k: 50", "top_k: 50\n    stop: [\"\"]"),
              HasSubstr("generators[0].stop: expected stop strings of 1 to 64 bytes"));
  EXPECT_THAT(with("[1.0, 0.7]", "[1.0, hot]"),
              HasSubstr("study.yaml:20: temperatures[1]: expected a number"));
  EXPECT_THAT(with("[100, 0, 10]", "[100, 0, 10, 0]"),
              HasSubstr("augment_counts[3]: augment count 0 is listed twice"));
  EXPECT_THAT(with("[100, 0, 10]", "[100, -1]"),
              HasSubstr("augment_counts[1]: expected an integer from 0"));
  EXPECT_THAT(with("dtype: bfloat16", "dtype: int4"),
              HasSubstr("generators[0].dtype: expected one of"));
  EXPECT_THAT(with("kind: roberta", "kind: gpt"),
              HasSubstr("classifiers[0].kind: unknown classifier kind \"gpt\""));
  EXPECT_THAT(with("device: cuda", "device: tpu"), HasSubstr("resources.generate.device"));
  EXPECT_THAT(with("cv: {folds: 4, repeats: 2, seed: 9}", "cv: [4]"),
              HasSubstr("cv: expected a mapping"));
}

TEST_F(SpecTest, MissingThingsAreNamed) {
  auto with = [&](const std::string& from, const std::string& to) {
    std::string spec = kFullSpec;
    spec.replace(spec.find(from), from.size(), to);
    return ErrorOf(spec);
  };
  EXPECT_THAT(
      with("path: data/survey.csv", "path: data/nope.csv"),
      HasSubstr("dataset.path: dataset file not found: " + (dir_ / "data" / "nope.csv").string()));
  EXPECT_THAT(with("model: models/roberta", "model: models/absent"),
              HasSubstr("classifiers[0].model: model folder not found"));
  EXPECT_THAT(with("prompt_template: plain.txt", "prompt_template: none.txt"),
              HasSubstr("generators[0].prompt_template: cannot read"));
  EXPECT_THAT(with("    model: models/tiny-llama\n", ""),
              HasSubstr("generators[0].model: required field is missing"));
  EXPECT_THAT(with("  label_field: themes\n", ""), HasSubstr("set exactly one of label_field"));
  EXPECT_THAT(with("{name: tfidf, kind: tfidf-logreg}", "{name: roberta, kind: tfidf-logreg}"),
              HasSubstr("classifiers[1].name: name \"roberta\" is used twice"));
  EXPECT_THAT(ErrorOf("augment_counts: [0]\nclassifiers: [{name: t, kind: tfidf-logreg}]\n"),
              HasSubstr("dataset: required section is missing"));
  EXPECT_THAT(
      ErrorOf("dataset: {path: data/survey.csv, label_field: themes}\naugment_counts: [0, 5]\n"
              "classifiers: [{name: t, kind: tfidf-logreg}]\n"),
      HasSubstr("generators: required section is missing"));
}

TEST_F(SpecTest, DuplicateKeysAndBadYaml) {
  EXPECT_THAT(ErrorOf("seed: 1\nseed: 2\n"), HasSubstr("study.yaml:2: seed: key appears twice"));
  EXPECT_THAT(ErrorOf("dataset: [unclosed\n"), HasSubstr("not valid YAML"));
  EXPECT_THAT(ErrorOf(""), HasSubstr("the spec is empty"));
  EXPECT_THAT(ErrorOf("- just\n- a list\n"), HasSubstr("expected a mapping"));
}

TEST_F(SpecTest, WarnsWithoutBaseline) {
  std::string spec = kFullSpec;
  spec.replace(spec.find("[100, 0, 10]"), 12, "[100, 10]");
  StatusOr<ParsedSpec> r = Parse(spec);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_THAT(r->warnings[0], HasSubstr("no baseline"));
}

TEST_F(SpecTest, DatasetWarningsFlagRareThemes) {
  StatusOr<ParsedSpec> r = Parse(kFullSpec);
  ASSERT_TRUE(r.ok());
  Dataset data;
  data.themes = {"x", "y"};
  for (int i = 0; i < 12; ++i)
    data.examples.push_back({std::to_string(i), "t", {i < 3 ? 1 : 0}, i + 1});
  std::vector<std::string> w = DatasetWarnings(r->spec, data);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0], HasSubstr("theme \"y\" has 3 positive example(s), fewer than the 4 folds"));
}

TEST_F(SpecTest, LoadReportsMissingFile) {
  StatusOr<ParsedSpec> r = LoadSweepSpec((dir_ / "absent.yaml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("absent.yaml"));
}

}  // namespace
}  // namespace augsweep
