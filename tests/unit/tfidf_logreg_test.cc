#include "worker/executors/tfidf_logreg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/metrics/auc.h"
#include "worker/executors/tfidf_features.h"

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// ---------------------------------------------------------------------------------------------
// TfidfVectorizer

TfidfOptions WordsOnly(int ngram_max = 1) {
  TfidfOptions o;
  o.word_ngram_max = ngram_max;
  o.char_ngram_max = 0;
  return o;
}

TfidfOptions CharsOnly() {
  TfidfOptions o;
  o.word_ngram_max = 0;
  return o;
}

TEST(TfidfFeaturesTest, CharWbNgramsOfAShortWordArePaddedWithSpaces) {
  EXPECT_THAT(TfidfVectorizer::ExtractFeatures("ab", CharsOnly()),
              ElementsAre(Pair("c: a", 1), Pair("c: ab", 1), Pair("c: ab ", 1), Pair("c:ab", 1),
                          Pair("c:ab ", 1), Pair("c:b ", 1)));
  // A padded word shorter than n gives no n-gram of that length (" a " has 3 characters: no
  // 4-gram, and " a " is counted once, not twice as scikit-learn would).
  EXPECT_THAT(TfidfVectorizer::ExtractFeatures("a", CharsOnly()),
              ElementsAre(Pair("c: a", 1), Pair("c: a ", 1), Pair("c:a ", 1)));
}

TEST(TfidfFeaturesTest, CharNgramsStayInsideWords) {
  // "ab cd": no n-gram spans the gap ("b c" would be one if the text were not split into words).
  for (const auto& [name, count] : TfidfVectorizer::ExtractFeatures("ab, cd", CharsOnly())) {
    EXPECT_EQ(name.find("b c"), std::string::npos) << name;
    EXPECT_EQ(name.find(','), std::string::npos) << name;
  }
}

TEST(TfidfFeaturesTest, WordsAreLowercasedAlnumRunsWithBigrams) {
  EXPECT_THAT(TfidfVectorizer::ExtractFeatures("The cat, the DOG2!", WordsOnly(2)),
              ElementsAre(Pair("w:cat", 1), Pair("w:cat the", 1), Pair("w:dog2", 1),
                          Pair("w:the", 2), Pair("w:the cat", 1), Pair("w:the dog2", 1)));
}

TEST(TfidfFeaturesTest, Utf8WordsStayWholeAndNonAsciiIsNotLowercased) {
  // "Ärger" keeps its capital Ä (only ASCII is lowercased); "naïve" is one word, not "na" + "ve".
  EXPECT_THAT(TfidfVectorizer::ExtractFeatures("Ärger NAÏVE", WordsOnly(1)),
              ElementsAre(Pair("w:naÏve", 1), Pair("w:Ärger", 1)));
  // "é" is two bytes but one character: " é " gives exactly " é", "é " and " é ".
  EXPECT_THAT(TfidfVectorizer::ExtractFeatures("é", CharsOnly()),
              ElementsAre(Pair("c: é", 1), Pair("c: é ", 1), Pair("c:é ", 1)));
}

TEST(TfidfFeaturesTest, IdfAndWeightsMatchHandComputedValues) {
  TfidfVectorizer v(WordsOnly(1));
  ASSERT_TRUE(v.Fit({"apple banana", "apple cherry", "Apple banana banana"}).ok());
  ASSERT_THAT(v.feature_names(), ElementsAre("w:apple", "w:banana", "w:cherry"));
  // n = 3 texts; df(apple) = 3, df(banana) = 2, df(cherry) = 1.
  const double idf_apple = std::log(4.0 / 4.0) + 1.0;
  const double idf_banana = std::log(4.0 / 3.0) + 1.0;
  const double idf_cherry = std::log(4.0 / 2.0) + 1.0;
  EXPECT_DOUBLE_EQ(v.idf()[0], idf_apple);
  EXPECT_DOUBLE_EQ(v.idf()[1], idf_banana);
  EXPECT_DOUBLE_EQ(v.idf()[2], idf_cherry);

  // Third text: apple once, banana twice (sublinear tf 1 + ln 2), then L2-normalised.
  const double a = 1.0 * idf_apple;
  const double b = (1.0 + std::log(2.0)) * idf_banana;
  const double norm = std::sqrt(a * a + b * b);
  const SparseRow row = v.TransformOne("apple banana banana");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].index, 0);
  EXPECT_EQ(row[1].index, 1);
  EXPECT_NEAR(row[0].value, a / norm, 1e-12);
  EXPECT_NEAR(row[1].value, b / norm, 1e-12);
}

TEST(TfidfFeaturesTest, UnseenFeaturesAreIgnoredAndEmptyRowsStayZero) {
  TfidfVectorizer v(WordsOnly(1));
  ASSERT_TRUE(v.Fit({"apple banana", "apple cherry"}).ok());
  const SparseRow row = v.TransformOne("durian apple");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0].index, v.IndexOf("w:apple"));
  EXPECT_DOUBLE_EQ(row[0].value, 1.0);
  EXPECT_EQ(v.IndexOf("w:durian"), -1);
  EXPECT_TRUE(v.TransformOne("durian").empty());
  EXPECT_TRUE(v.TransformOne("?! ...").empty());
  EXPECT_TRUE(v.TransformOne("").empty());
}

TEST(TfidfFeaturesTest, RowsHaveUnitNormAndSortedIndicesUnderDefaultOptions) {
  const std::vector<std::string> texts = {
      "I felt supported by my supervisor during the night shift.",
      "Staffing was short; patients waited too long.",
      "Café breaks are too short, and the rota changes every week!", "x"};
  TfidfVectorizer v;
  ASSERT_TRUE(v.Fit(texts).ok());
  EXPECT_TRUE(std::is_sorted(v.feature_names().begin(), v.feature_names().end()));
  EXPECT_EQ(std::adjacent_find(v.feature_names().begin(), v.feature_names().end()),
            v.feature_names().end());
  for (const SparseRow& row : v.Transform(texts)) {
    ASSERT_FALSE(row.empty());
    double sq = 0;
    for (size_t k = 0; k < row.size(); ++k) {
      if (k > 0) {
        EXPECT_LT(row[k - 1].index, row[k].index);
      }
      EXPECT_GT(row[k].value, 0.0);
      sq += row[k].value * row[k].value;
    }
    EXPECT_NEAR(sq, 1.0, 1e-12);
  }
  // Word unigrams, bigrams and character n-grams are all in the vocabulary.
  EXPECT_GE(v.IndexOf("w:night"), 0);
  EXPECT_GE(v.IndexOf("w:night shift"), 0);
  EXPECT_GE(v.IndexOf("c: ni"), 0);
  EXPECT_GE(v.IndexOf("c:caf"), 0);
}

TEST(TfidfFeaturesTest, MinDfDropsRareFeatures) {
  TfidfOptions o = WordsOnly(1);
  o.min_df = 2;
  TfidfVectorizer v(o);
  ASSERT_TRUE(v.Fit({"apple banana", "apple cherry", "apple banana"}).ok());
  EXPECT_THAT(v.feature_names(), ElementsAre("w:apple", "w:banana"));
  // idf still uses the real df and n.
  EXPECT_DOUBLE_EQ(v.idf()[1], std::log(4.0 / 3.0) + 1.0);
}

TEST(TfidfFeaturesTest, RejectsNoTextsAndBadOptions) {
  TfidfVectorizer v;
  Status s = v.Fit({});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("no training texts"));

  TfidfOptions o;
  o.min_df = 0;
  EXPECT_THAT(TfidfVectorizer(o).Fit({"a"}).message(), HasSubstr("min_df"));
  o = {};
  o.char_ngram_min = 5;
  o.char_ngram_max = 3;
  EXPECT_THAT(TfidfVectorizer(o).Fit({"a"}).message(), HasSubstr("character n-gram"));
}

// ---------------------------------------------------------------------------------------------
// TfidfLogRegClassifier

class FakeControl : public JobControl {
 public:
  // cancel_after_checks < 0: never cancel; otherwise cancelled() turns true after that many calls.
  explicit FakeControl(int cancel_after_checks = -1) : cancel_after_(cancel_after_checks) {}
  bool cancelled() const override {
    const bool result = cancel_after_ >= 0 && checks_ >= cancel_after_;
    ++checks_;
    return result;
  }
  void ReportProgress(float fraction) override { progress.push_back(fraction); }
  std::vector<float> progress;

 private:
  int cancel_after_;
  mutable int checks_ = 0;
};

v1::ClassifierSpec DefaultSpec() {
  v1::ClassifierSpec c;
  c.set_name("tfidf");
  c.set_kind("tfidf-logreg");
  c.set_epochs(200);  // the spec parser's defaults for this kind
  c.set_learning_rate(0.5);
  c.set_weight_decay(0.01);
  return c;
}

struct Corpus {
  std::vector<LabelledText> texts;
};

// Texts built from theme-specific vocabularies plus shared filler words. Each text carries one or
// two themes and draws 3 words from each theme's vocabulary. With random_labels the labels are
// drawn independently of the words.
Corpus MakeCorpus(int count, int num_themes, uint64_t seed, bool random_labels = false) {
  static const std::vector<std::vector<std::string>> kThemeWords = {
      {"nurse", "ward", "patient", "shift", "bedside", "medication", "clinic"},
      {"salary", "pay", "budget", "bonus", "pension", "overtime", "wages"},
      {"training", "course", "mentor", "learning", "skills", "workshop", "teaching"},
      {"manager", "leadership", "director", "decision", "policy", "meeting", "board"},
      {"stress", "burnout", "tired", "exhausted", "sleep", "anxiety", "pressure"},
  };
  static const std::vector<std::string> kFiller = {"the",   "we", "was", "really", "very",
                                                   "often", "it", "and", "our",    "team"};
  std::mt19937_64 gen(seed);  // test data only
  auto pick = [&](size_t n) { return static_cast<size_t>(gen() % n); };
  Corpus c;
  for (int i = 0; i < count; ++i) {
    std::vector<int> themes = {static_cast<int>(pick(num_themes))};
    if (gen() % 3 == 0) {
      const int second = static_cast<int>(pick(num_themes));
      if (second != themes[0]) themes.push_back(second);
    }
    std::vector<std::string> words;
    for (int t : themes) {
      for (int k = 0; k < 3; ++k) words.push_back(kThemeWords[t][pick(kThemeWords[t].size())]);
    }
    for (int k = 0; k < 4; ++k) words.push_back(kFiller[pick(kFiller.size())]);
    std::shuffle(words.begin(), words.end(), gen);
    std::string text;
    for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
    if (random_labels) {
      themes.clear();
      for (int t = 0; t < num_themes; ++t) {
        if (gen() % 3 == 0) themes.push_back(t);
      }
    }
    std::sort(themes.begin(), themes.end());
    c.texts.push_back({text, themes});
  }
  return c;
}

TrainRequest MakeRequest(const Corpus& train, const Corpus& test, int num_themes) {
  TrainRequest r;
  r.classifier = DefaultSpec();
  r.seed = 7;
  for (int t = 0; t < num_themes; ++t) r.themes.push_back("theme" + std::to_string(t));
  r.train = train.texts;
  for (const LabelledText& t : test.texts) r.test_texts.push_back(t.text);
  return r;
}

double MacroAuc(const TrainOutcome& outcome, const Corpus& test, int num_themes) {
  std::vector<std::vector<double>> scores;
  std::vector<std::vector<int>> labels;
  for (size_t i = 0; i < test.texts.size(); ++i) {
    scores.emplace_back(outcome.test_probabilities[i].begin(), outcome.test_probabilities[i].end());
    labels.push_back(test.texts[i].labels);
  }
  StatusOr<FoldAuc> auc = ComputeFoldAuc(scores, labels, num_themes);
  EXPECT_TRUE(auc.ok()) << auc.status().ToString();
  EXPECT_EQ(auc->defined_themes, num_themes);
  return auc->macro.value_or(-1.0);
}

void ExpectValidProbabilities(const TrainOutcome& outcome, size_t num_test, int num_themes) {
  ASSERT_EQ(outcome.test_probabilities.size(), num_test);
  for (const std::vector<float>& row : outcome.test_probabilities) {
    ASSERT_EQ(row.size(), static_cast<size_t>(num_themes));
    for (float p : row) {
      EXPECT_TRUE(std::isfinite(p));
      EXPECT_GE(p, 0.0f);
      EXPECT_LE(p, 1.0f);
    }
  }
}

TEST(TfidfLogRegTest, SeparatesThemesOnHeldOutTexts) {
  const Corpus train = MakeCorpus(60, 3, 1);
  const Corpus test = MakeCorpus(30, 3, 2);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(MakeRequest(train, test, 3), control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectValidProbabilities(*out, 30, 3);
  EXPECT_GT(MacroAuc(*out, test, 3), 0.95);
}

TEST(TfidfLogRegTest, RandomLabelsGiveChanceLevelAuc) {
  const Corpus train = MakeCorpus(60, 3, 3, /*random_labels=*/true);
  const Corpus test = MakeCorpus(90, 3, 4, /*random_labels=*/true);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(MakeRequest(train, test, 3), control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_LT(std::fabs(MacroAuc(*out, test, 3) - 0.5), 0.2);
}

TEST(TfidfLogRegTest, LossCurveHasOneEntryPerEpochAndNeverIncreases) {
  const Corpus train = MakeCorpus(60, 3, 1);
  const Corpus test = MakeCorpus(10, 3, 2);
  TrainRequest request = MakeRequest(train, test, 3);
  request.classifier.set_epochs(57);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(request, control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->loss_curve.size(), 57u);
  EXPECT_LT(out->loss_curve.front(), std::log(2.0f));  // the first step already beats w = 0
  for (size_t e = 1; e < out->loss_curve.size(); ++e) {
    EXPECT_LE(out->loss_curve[e], out->loss_curve[e - 1]) << "epoch " << e;
  }
  EXPECT_LT(out->loss_curve.back(), 0.6f * out->loss_curve.front());
  // Progress: once per epoch, increasing, ending at 1.
  ASSERT_EQ(control.progress.size(), 57u);
  EXPECT_TRUE(std::is_sorted(control.progress.begin(), control.progress.end()));
  EXPECT_FLOAT_EQ(control.progress.back(), 1.0f);
}

TEST(TfidfLogRegTest, DefaultEpochsReachTheMinimum) {
  // 200 epochs (the default) land where 1500 do: the optimiser has converged, so "epochs" is not
  // silently an under-training knob for this kind.
  const Corpus train = MakeCorpus(200, 5, 11);
  const Corpus test = MakeCorpus(5, 5, 12);
  TrainRequest request = MakeRequest(train, test, 5);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> at200 = classifier.TrainAndPredict(request, control);
  request.classifier.set_epochs(1500);
  StatusOr<TrainOutcome> at1500 = classifier.TrainAndPredict(request, control);
  ASSERT_TRUE(at200.ok() && at1500.ok());
  EXPECT_NEAR(at200->loss_curve.back(), at1500->loss_curve.back(), 1e-6);
  for (size_t i = 0; i < at200->test_probabilities.size(); ++i) {
    for (int t = 0; t < 5; ++t) {
      EXPECT_NEAR(at200->test_probabilities[i][t], at1500->test_probabilities[i][t], 1e-4);
    }
  }
}

TEST(TfidfLogRegTest, TooLongAStepIsHalvedNotDiverged) {
  const Corpus train = MakeCorpus(60, 3, 1);
  const Corpus test = MakeCorpus(30, 3, 2);
  TrainRequest request = MakeRequest(train, test, 3);
  request.classifier.set_learning_rate(80.0);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(request, control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectValidProbabilities(*out, 30, 3);
  for (size_t e = 1; e < out->loss_curve.size(); ++e) {
    EXPECT_LE(out->loss_curve[e], out->loss_curve[e - 1]) << "epoch " << e;
  }
  EXPECT_GT(MacroAuc(*out, test, 3), 0.95);
}

TEST(TfidfLogRegTest, SameRequestGivesBitIdenticalProbabilities) {
  const Corpus train = MakeCorpus(60, 3, 5);
  const Corpus test = MakeCorpus(30, 3, 6);
  const TrainRequest request = MakeRequest(train, test, 3);
  FakeControl c1, c2;
  StatusOr<TrainOutcome> a = TfidfLogRegClassifier().TrainAndPredict(request, c1);
  StatusOr<TrainOutcome> b = TfidfLogRegClassifier().TrainAndPredict(request, c2);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->test_probabilities.size(), b->test_probabilities.size());
  for (size_t i = 0; i < a->test_probabilities.size(); ++i) {
    ASSERT_EQ(0, std::memcmp(a->test_probabilities[i].data(), b->test_probabilities[i].data(),
                             sizeof(float) * 3))
        << "test text " << i;
  }
  ASSERT_EQ(0, std::memcmp(a->loss_curve.data(), b->loss_curve.data(),
                           sizeof(float) * a->loss_curve.size()));
}

TEST(TfidfLogRegTest, ThemeWithoutPositivesOrNegativesPredictsItsTrainingRate) {
  // Themes 0..2 learnable; theme 3 never present in training, theme 4 on every training text.
  Corpus train = MakeCorpus(60, 3, 1);
  for (LabelledText& t : train.texts) t.labels.push_back(4);
  const Corpus test = MakeCorpus(30, 3, 2);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(MakeRequest(train, test, 5), control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectValidProbabilities(*out, 30, 5);
  for (const std::vector<float>& row : out->test_probabilities) {
    EXPECT_EQ(row[3], 0.0f);
    EXPECT_EQ(row[4], 1.0f);
  }
  for (float loss : out->loss_curve) EXPECT_TRUE(std::isfinite(loss));

  // No theme trainable at all: constant predictions and a zero loss curve, still no error.
  Corpus none = MakeCorpus(10, 3, 1);
  for (LabelledText& t : none.texts) t.labels.clear();
  StatusOr<TrainOutcome> flat = classifier.TrainAndPredict(MakeRequest(none, test, 3), control);
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  EXPECT_EQ(flat->loss_curve, std::vector<float>(200, 0.0f));
  EXPECT_EQ(flat->test_probabilities[0], std::vector<float>(3, 0.0f));
}

TEST(TfidfLogRegTest, TextsWithoutFeaturesAndNoTestTextsAreFine) {
  Corpus train = MakeCorpus(30, 2, 1);
  train.texts.push_back({"!!!", {0}});  // an all-zero training row
  TrainRequest request = MakeRequest(train, {}, 2);
  request.test_texts = {"?", "", "zzz unseen words"};
  TfidfLogRegClassifier classifier;
  FakeControl control;
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(request, control);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectValidProbabilities(*out, 3, 2);
  // Featureless texts all get sigmoid(bias): the same score.
  EXPECT_EQ(out->test_probabilities[0], out->test_probabilities[1]);

  request.test_texts.clear();
  StatusOr<TrainOutcome> empty = classifier.TrainAndPredict(request, control);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->test_probabilities.empty());
}

TEST(TfidfLogRegTest, CancellationStopsTraining) {
  const Corpus train = MakeCorpus(60, 3, 1);
  const Corpus test = MakeCorpus(10, 3, 2);
  TfidfLogRegClassifier classifier;
  FakeControl before(0);
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(MakeRequest(train, test, 3), before);
  EXPECT_EQ(out.status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(before.progress.empty());

  FakeControl midway(11);  // one check before training, then one per epoch
  out = classifier.TrainAndPredict(MakeRequest(train, test, 3), midway);
  EXPECT_EQ(out.status().code(), StatusCode::kCancelled);
  EXPECT_THAT(out.status().message(), HasSubstr("epoch 11 of 200"));
  EXPECT_EQ(midway.progress.size(), 10u);
}

TEST(TfidfLogRegTest, RejectsRequestsItCannotRun) {
  const Corpus train = MakeCorpus(20, 3, 1);
  const Corpus test = MakeCorpus(5, 3, 2);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  auto error_of = [&](TrainRequest r) {
    StatusOr<TrainOutcome> out = classifier.TrainAndPredict(r, control);
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    return out.status().message();
  };
  TrainRequest r = MakeRequest(train, test, 3);
  r.classifier.set_kind("roberta");
  EXPECT_THAT(error_of(r), HasSubstr("kind is \"roberta\""));
  r = MakeRequest(train, test, 3);
  r.classifier.set_epochs(0);
  EXPECT_THAT(error_of(r), HasSubstr("epochs is 0"));
  r = MakeRequest(train, test, 3);
  r.classifier.set_learning_rate(0);
  EXPECT_THAT(error_of(r), HasSubstr("learning_rate"));
  r = MakeRequest(train, test, 3);
  r.classifier.set_weight_decay(-1);
  EXPECT_THAT(error_of(r), HasSubstr("weight_decay"));
  r = MakeRequest(train, test, 3);
  r.train[4].labels = {3};
  EXPECT_THAT(error_of(r), HasSubstr("training text 4: label index 3 is out of range"));
  r = MakeRequest(train, test, 3);
  r.train.clear();
  EXPECT_THAT(error_of(r), HasSubstr("no training texts"));
  r = MakeRequest(train, test, 3);
  r.themes.clear();
  EXPECT_THAT(error_of(r), HasSubstr("no themes"));
}

TEST(TfidfLogRegTest, TrainsTwoHundredTextsFiveThemesQuickly) {
  const Corpus train = MakeCorpus(200, 5, 21);
  const Corpus test = MakeCorpus(50, 5, 22);
  const TrainRequest request = MakeRequest(train, test, 5);
  TfidfLogRegClassifier classifier;
  FakeControl control;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TrainOutcome> out = classifier.TrainAndPredict(request, control);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::cout << "tfidf-logreg: 200 texts x 5 themes, 200 epochs: " << seconds * 1000.0 << " ms\n";
  EXPECT_GT(MacroAuc(*out, test, 5), 0.95);
  // Generous: well under a second on one core; the bound only catches an accidental blow-up.
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace augsweep
