#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/deterministic_rng.h"
#include "worker/executors/eda_generator.h"
#include "worker/executors/wordnet_synonyms.h"

namespace augsweep {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Words = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Helpers

class FakeJobControl : public JobControl {
 public:
  bool cancelled() const override {
    return cancelled_ || (cancel_after_reports_ >= 0 &&
                          static_cast<int>(progress_.size()) >= cancel_after_reports_);
  }
  void ReportProgress(float fraction) override { progress_.push_back(fraction); }

  bool cancelled_ = false;
  int cancel_after_reports_ = -1;  // >= 0: cancelled once this many reports arrived
  std::vector<float> progress_;
};

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("eda_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream(path_ / name, std::ios::binary) << contents;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

const WordNetSynonyms& RealWordNet() {
  auto wn = WordNetSynonyms::Default();
  if (!wn.ok()) {
    ADD_FAILURE() << wn.status().ToString();
    std::abort();
  }
  return **wn;
}

// A tiny lexicon whose synonyms are all single words, except "cat".
std::shared_ptr<const WordNetSynonyms> FakeLexicon() {
  return WordNetSynonyms::FromSynsets({
      {"dog", "canine", "hound"},
      {"house", "home"},
      {"big", "large"},
      {"cat", "true cat"},
      {"in", "inch"},   // a stop word with a synonym: replacement must leave it alone
      {"the", "thee"},  // likewise
  });
}

Words Sorted(Words w) {
  std::sort(w.begin(), w.end());
  return w;
}

std::set<std::string> WordsOf(const std::vector<std::string>& texts) {
  std::set<std::string> out;
  for (const auto& t : texts) {
    for (auto& w : SplitWords(t)) out.insert(w);
  }
  return out;
}

GenerateRequest TwoThemeRequest(int texts_per_theme) {
  GenerateRequest r;
  r.generator.set_name("eda-0.1");
  r.generator.set_kind("eda");
  r.generator.set_eda_alpha(0.1);
  r.temperature = 0.7;
  r.texts_per_theme = texts_per_theme;
  r.seed = 42;
  r.repeat = 0;
  r.fold = 1;
  r.themes = {"workload", "teamwork"};
  r.train = {
      {"The big dog barked at the house all night.", {0}},
      {"My dog sleeps in the big house.", {0}},
      {"A large hound guarded our home", {0}},
      {"The cat and the dog share a house", {0}},
      {"Zorbleflux colleagues help each other daily", {1}},
      {"Our team shares the zorbleflux duties", {1}},
      {"Good team spirit among nurses", {1}},
  };
  return r;
}

// ---------------------------------------------------------------------------------------------
// WordNet

TEST(WordNetSynonymsTest, LoadsDebianDatabaseAndKnowsCommonSynonyms) {
  const auto start = std::chrono::steady_clock::now();
  auto loaded = WordNetSynonyms::Load(std::string(WordNetSynonyms::kDefaultDir));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::printf("WordNet load: %.3f s, %zu synsets, %zu lemmas\n", seconds, (*loaded)->synset_count(),
              (*loaded)->lemma_count());
  const WordNetSynonyms& wn = **loaded;
  EXPECT_EQ(wn.synset_count(), 117659u);  // WordNet 3.0: 82115 + 13767 + 18156 + 3621

  const Words happy = wn.SynonymsOf("happy");
  EXPECT_THAT(happy, Contains("glad"));
  EXPECT_THAT(happy, Contains("felicitous"));
  EXPECT_THAT(happy, Not(Contains("happy")));
  const Words car = wn.SynonymsOf("car");
  EXPECT_THAT(car, Contains("automobile"));
  EXPECT_THAT(car, Contains("railway car"));  // multiword, '_' became a space
  EXPECT_THAT(car, Not(Contains("car")));
  EXPECT_TRUE(std::is_sorted(car.begin(), car.end()));
  EXPECT_EQ(std::adjacent_find(car.begin(), car.end()), car.end()) << "duplicates";
  EXPECT_THAT(wn.SynonymsOf("zorbleflux"), IsEmpty());
  EXPECT_THAT(wn.SynonymsOf(""), IsEmpty());
}

TEST(WordNetSynonymsTest, DefaultIsLoadedOnceAndShared) {
  auto a = WordNetSynonyms::Default();
  auto b = WordNetSynonyms::Default();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), b->get());
}

TEST(WordNetSynonymsTest, InflectedFormsReachTheirBaseForm) {
  const WordNetSynonyms& wn = RealWordNet();
  EXPECT_THAT(wn.SynonymsOf("cars"), Contains("automobile"));  // regular noun rule
  EXPECT_THAT(wn.SynonymsOf("cars"), Contains("car"));         // as NLTK: the base is kept
  EXPECT_THAT(wn.SynonymsOf("geese"), Contains("goose"));      // noun.exc
  EXPECT_THAT(wn.SynonymsOf("happier"), Contains("glad"));     // adj.exc
  EXPECT_THAT(wn.SynonymsOf("walked"), Contains("walk"));      // verb rule "ed" -> ""
  EXPECT_THAT(wn.SynonymsOf("ran"), Contains("run"));          // verb.exc
}

TEST(WordNetSynonymsTest, MissingDirectoryIsNotFoundWithInstallHint) {
  auto wn = WordNetSynonyms::Load("/nonexistent/wordnet-dir");
  ASSERT_FALSE(wn.ok());
  EXPECT_EQ(wn.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(wn.status().message(), HasSubstr("/nonexistent/wordnet-dir"));
  EXPECT_THAT(wn.status().message(), HasSubstr("apt-get install wordnet-base"));
}

constexpr const char* kLicenceHeader =
    "  1 This software and database is being provided to you, the LICENSEE, by  \n"
    "  2 Princeton University under the following license.  \n"
    "  3   \n";

TEST(WordNetSynonymsTest, MissingDataFileIsNotFoundNamingIt) {
  TempDir dir;
  dir.Write("data.noun",
            std::string(kLicenceHeader) + "00000001 05 n 02 dog 0 domestic_dog 0 000 | a dog\n");
  auto wn = WordNetSynonyms::Load(dir.path());
  ASSERT_FALSE(wn.ok());
  EXPECT_EQ(wn.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(wn.status().message(), HasSubstr(dir.path() + "/data.verb"));
  EXPECT_THAT(wn.status().message(), HasSubstr("apt-get install wordnet-base"));
}

TEST(WordNetSynonymsTest, ParsesSynsetLinesSkipsHeaderAndStripsAdjectiveMarkers) {
  TempDir dir;
  dir.Write("data.noun",
            std::string(kLicenceHeader) +
                "00000001 05 n 03 Dog 0 domestic_dog 0 Canis_familiaris 0 000 | a dog\n"
                "00000002 05 n 01 dog 1 000 | another sense, alone\n");
  dir.Write("data.verb", std::string(kLicenceHeader) +
                             "00000003 29 v 02 bark 0 yap 0 000 01 + 01 00 | make a noise\n");
  dir.Write("data.adj", std::string(kLicenceHeader) +
                            "00000004 00 s 02 abounding 0 galore(ip) 0 000 | plentiful\n"
                            "00000005 00 s 02 handy 0 ready_to_hand(p) 0 000 | easy to reach\n"
                            "00000006 00 a 0a able 0 capable 0 adept 0 apt 0 fit 0 "
                            "good 0 handy 1 skilled 0 skillful 0 o'clock 0 000 | ten words\n");
  dir.Write("data.adv", std::string(kLicenceHeader));
  dir.Write("noun.exc", "dogses dog\n");
  auto loaded = WordNetSynonyms::Load(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const WordNetSynonyms& wn = **loaded;
  EXPECT_EQ(wn.synset_count(), 6u);
  EXPECT_THAT(wn.SynonymsOf("dog"), ElementsAre("canis familiaris", "domestic dog"));
  EXPECT_THAT(wn.SynonymsOf("dogs"), ElementsAre("canis familiaris", "dog", "domestic dog"));
  EXPECT_THAT(wn.SynonymsOf("dogses"), ElementsAre("canis familiaris", "dog", "domestic dog"));
  EXPECT_THAT(wn.SynonymsOf("yap"), ElementsAre("bark"));
  EXPECT_THAT(wn.SynonymsOf("abounding"), ElementsAre("galore"));
  EXPECT_THAT(wn.SynonymsOf("handy"),
              ElementsAre("able", "adept", "apt", "capable", "fit", "good", "oclock",
                          "ready to hand", "skilled", "skillful"));
}

TEST(WordNetSynonymsTest, MalformedLineIsDataLossNamingFileAndLine) {
  TempDir dir;
  dir.Write("data.noun",
            std::string(kLicenceHeader) + "00000001 05 n 03 dog 0 hound 0 000 | short\n");
  for (const char* name : {"data.verb", "data.adj", "data.adv"}) dir.Write(name, kLicenceHeader);
  auto wn = WordNetSynonyms::Load(dir.path());
  ASSERT_FALSE(wn.ok());
  EXPECT_EQ(wn.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(wn.status().message(), HasSubstr(dir.path() + "/data.noun:4"));
}

// ---------------------------------------------------------------------------------------------
// Text cleaning and the four operations

TEST(EdaOperationsTest, CleaningKeepsLowercaseLettersAndSingleSpaces) {
  EXPECT_EQ(CleanEdaText("  Don\xE2\x80\x99t STOP-me, it's 9am!\tNow\n"),
            "dont stop me its am now");
  EXPECT_EQ(CleanEdaText("123 ... !!"), "");
  EXPECT_THAT(SplitWords("a  b c"), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(IsEdaStopWord("the"));
  EXPECT_TRUE(IsEdaStopWord("dont"));
  EXPECT_TRUE(IsEdaStopWord("i"));           // first of the list
  EXPECT_TRUE(IsEdaStopWord("themselves"));  // at a group boundary
  EXPECT_TRUE(IsEdaStopWord("theres"));      // last of the list
  EXPECT_FALSE(IsEdaStopWord(""));
  EXPECT_FALSE(IsEdaStopWord("nurse"));
}

TEST(EdaOperationsTest, ChangeCountIsAlphaTimesLengthTruncatedAtLeastOne) {
  EXPECT_EQ(EdaChangeCount(0.1, 5), 1);
  EXPECT_EQ(EdaChangeCount(0.1, 25), 2);
  EXPECT_EQ(EdaChangeCount(0.5, 9), 4);
  EXPECT_EQ(EdaChangeCount(0.3, 0), 1);
}

TEST(EdaOperationsTest, RandomDeletionIsNeverEmptyAndDeletesAtRateP) {
  const Words words = {"one", "two", "three", "four", "five", "six", "seven", "eight"};
  DeterministicRng rng(7);
  for (int i = 0; i < 200; ++i) {
    const Words out = RandomDeletion(words, 1.0, rng);  // every word deleted -> one kept
    ASSERT_EQ(out.size(), 1u);
    EXPECT_THAT(words, Contains(out[0]));
  }
  EXPECT_EQ(RandomDeletion(words, 0.0, rng), words);
  EXPECT_THAT(RandomDeletion({"alone"}, 1.0, rng), ElementsAre("alone"));
  EXPECT_THAT(RandomDeletion({}, 0.5, rng), IsEmpty());

  std::size_t kept = 0;
  constexpr int kTrials = 2000;
  for (int i = 0; i < kTrials; ++i) {
    const Words out = RandomDeletion(words, 0.25, rng);
    ASSERT_FALSE(out.empty());
    // Survivors keep their order: the output is a subsequence of the input.
    auto it = words.begin();
    for (const auto& w : out) {
      it = std::find(it, words.end(), w);
      ASSERT_NE(it, words.end());
      ++it;
    }
    kept += out.size();
  }
  EXPECT_NEAR(static_cast<double>(kept) / (kTrials * words.size()), 0.75, 0.02);
}

TEST(EdaOperationsTest, RandomSwapPreservesTheMultisetAndSwapsNTimes) {
  const Words words = {"a1", "b2", "c3", "d4", "e5", "f6", "g7"};
  DeterministicRng rng(11);
  for (int i = 0; i < 200; ++i) {
    const Words once = RandomSwap(words, 1, rng);
    EXPECT_EQ(Sorted(once), Sorted(words));
    int moved = 0;
    for (std::size_t k = 0; k < words.size(); ++k) moved += once[k] != words[k];
    EXPECT_EQ(moved, 2) << "one swap of two distinct positions";
    EXPECT_EQ(Sorted(RandomSwap(words, 3, rng)), Sorted(words));
  }
  EXPECT_THAT(RandomSwap({"alone"}, 5, rng), ElementsAre("alone"));
}

TEST(EdaOperationsTest, RandomInsertionAddsNSynonymsOfSentenceWords) {
  const auto lexicon = FakeLexicon();
  const Words words = {"dog", "house", "big"};
  const std::set<std::string> allowed = {"dog", "house", "big", "canine", "hound", "home", "large"};
  DeterministicRng rng(3);
  for (int n = 1; n <= 4; ++n) {
    for (int i = 0; i < 50; ++i) {
      const Words out = RandomInsertion(words, n, *lexicon, rng);
      ASSERT_EQ(out.size(), words.size() + n);
      for (const auto& w : out) EXPECT_TRUE(allowed.count(w)) << w;
      // The original words keep their relative order.
      auto it = out.begin();
      for (const auto& w : words) {
        it = std::find(it, out.end(), w);
        ASSERT_NE(it, out.end());
        ++it;
      }
    }
  }
  // No word with a synonym: nothing can be inserted.
  EXPECT_THAT(RandomInsertion({"zorbleflux", "qwerty"}, 3, *lexicon, rng),
              ElementsAre("zorbleflux", "qwerty"));
}

TEST(EdaOperationsTest, SynonymReplacementKeepsLengthAndNeverTouchesStopWords) {
  const auto lexicon = FakeLexicon();
  const Words words = {"the", "big", "dog", "in", "the", "house", "zorbleflux"};
  DeterministicRng rng(5);
  for (int i = 0; i < 100; ++i) {
    const Words all = SynonymReplacement(words, 10, *lexicon, rng);
    ASSERT_EQ(all.size(), words.size());  // single-word synonyms only in this sentence
    EXPECT_EQ(all[0], "the");
    EXPECT_EQ(all[3], "in");
    EXPECT_EQ(all[4], "the");
    EXPECT_EQ(all[1], "large");
    EXPECT_TRUE(all[2] == "canine" || all[2] == "hound") << all[2];
    EXPECT_EQ(all[5], "home");
    EXPECT_EQ(all[6], "zorbleflux");  // no synonym

    const Words one = SynonymReplacement(words, 1, *lexicon, rng);
    ASSERT_EQ(one.size(), words.size());
    int changed = 0;
    for (std::size_t k = 0; k < words.size(); ++k) changed += one[k] != words[k];
    EXPECT_EQ(changed, 1);
  }
  // Every occurrence of a chosen word is replaced by the same synonym.
  const Words twice = SynonymReplacement({"dog", "and", "dog"}, 1, *lexicon, rng);
  ASSERT_EQ(twice.size(), 3u);
  EXPECT_NE(twice[0], "dog");
  EXPECT_EQ(twice[0], twice[2]);
  // A multiword synonym becomes separate words.
  EXPECT_THAT(SynonymReplacement({"cat"}, 1, *lexicon, rng), ElementsAre("true", "cat"));
}

TEST(EdaOperationsTest, StreamSeedDependsOnEveryComponent) {
  const uint64_t base = EdaStreamSeed(42, 0, 1, 2);
  EXPECT_EQ(base, EdaStreamSeed(42, 0, 1, 2));
  EXPECT_NE(base, EdaStreamSeed(43, 0, 1, 2));
  EXPECT_NE(base, EdaStreamSeed(42, 1, 1, 2));
  EXPECT_NE(base, EdaStreamSeed(42, 0, 2, 2));
  EXPECT_NE(base, EdaStreamSeed(42, 0, 1, 3));
  EXPECT_NE(EdaStreamSeed(0, 0, 1, 0), EdaStreamSeed(0, 1, 0, 0));  // components are not symmetric
}

// ---------------------------------------------------------------------------------------------
// The generator

TEST(EdaGeneratorTest, WritesExactlyNPerThemeEachTracedToATrainingTextOfTheTheme) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl control;
  const GenerateRequest request = TwoThemeRequest(12);
  auto result = generator.Generate(request, control);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const v1::SyntheticSet& set = *result;

  ASSERT_EQ(set.texts_size(), 24);
  EXPECT_THAT(set.shortfall_per_theme(), ElementsAre(0, 0));
  ASSERT_EQ(set.raw_completions_size(), set.texts_size());
  std::set<std::string> distinct_prompts(set.prompts().begin(), set.prompts().end());
  EXPECT_EQ(distinct_prompts.size(), static_cast<std::size_t>(set.prompts_size()));

  std::map<std::string, std::set<std::string>> outputs;
  for (int i = 0; i < set.texts_size(); ++i) {
    const v1::SyntheticText& t = set.texts(i);
    const int theme = i < 12 ? 0 : 1;  // theme order, then index order
    EXPECT_EQ(t.theme(), request.themes[theme]);
    EXPECT_FALSE(t.text().empty());
    EXPECT_EQ(CleanEdaText(t.text()), t.text());
    EXPECT_EQ(set.raw_completions(i), t.text());
    EXPECT_EQ(t.completion_index(), i);
    EXPECT_TRUE(outputs[t.theme()].insert(t.text()).second) << "duplicate: " << t.text();
    ASSERT_GE(t.prompt_index(), 0);
    ASSERT_LT(t.prompt_index(), set.prompts_size());
    const std::string& source = set.prompts(t.prompt_index());
    auto it = std::find_if(request.train.begin(), request.train.end(),
                           [&](const LabelledText& l) { return l.text == source; });
    ASSERT_NE(it, request.train.end()) << "source is not a training text: " << source;
    EXPECT_THAT(it->labels, Contains(theme)) << source;
    EXPECT_NE(t.text(), CleanEdaText(source)) << "an unchanged copy of its source";
  }
  EXPECT_THAT(control.progress_, ElementsAre(0.5f, 1.0f));
}

// With the real WordNet: every word of a theme's output is a word of that theme's training texts
// or a WordNet synonym of one, so nothing from another theme (or a test fold) can leak in.
TEST(EdaGeneratorTest, OutputsUseOnlyTheThemesWordsAndTheirSynonyms) {
  auto wn = WordNetSynonyms::Default();
  ASSERT_TRUE(wn.ok()) << wn.status().ToString();
  EdaGenerator generator(*wn);
  FakeJobControl control;
  const GenerateRequest request = TwoThemeRequest(40);
  auto result = generator.Generate(request, control);
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  for (int theme = 0; theme < 2; ++theme) {
    std::vector<std::string> train_texts;
    for (const auto& l : request.train) {
      if (std::find(l.labels.begin(), l.labels.end(), theme) != l.labels.end()) {
        train_texts.push_back(CleanEdaText(l.text));
      }
    }
    // alpha = 0.1 and texts under 10 words: one change per operation, so insertion cannot chain
    // a synonym of an inserted synonym.
    std::set<std::string> allowed = WordsOf(train_texts);
    for (const auto& w : std::set<std::string>(allowed)) {
      const std::set<std::string> syn = WordsOf((*wn)->SynonymsOf(w));
      allowed.insert(syn.begin(), syn.end());
    }
    int count = 0;
    for (const auto& t : result->texts()) {
      if (t.theme() != request.themes[theme]) continue;
      ++count;
      for (const auto& w : SplitWords(t.text())) {
        EXPECT_TRUE(allowed.count(w)) << "theme " << theme << ": \"" << w << "\" in " << t.text();
      }
      if (theme == 0) {
        EXPECT_THAT(t.text(), Not(HasSubstr("zorbleflux")));
      }
    }
    EXPECT_EQ(count, 40);
  }
}

TEST(EdaGeneratorTest, SameRequestSameOutputAndSeedFoldChangeIt) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl control;
  const GenerateRequest request = TwoThemeRequest(15);
  auto a = generator.Generate(request, control);
  auto b = generator.Generate(request, control);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString());

  GenerateRequest hotter = request;
  hotter.temperature = 1.3;  // eda ignores temperature: the planner shares its jobs across them
  auto c = generator.Generate(hotter, control);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(a->SerializeAsString(), c->SerializeAsString());

  GenerateRequest reseeded = request;
  reseeded.seed = 43;
  auto d = generator.Generate(reseeded, control);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(a->SerializeAsString(), d->SerializeAsString());

  GenerateRequest other_fold = request;
  other_fold.fold = 2;
  auto e = generator.Generate(other_fold, control);
  ASSERT_TRUE(e.ok());
  EXPECT_NE(a->SerializeAsString(), e->SerializeAsString());
}

TEST(EdaGeneratorTest, ThemesThatCannotBeFilledReportTheirShortfall) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl control;
  GenerateRequest request = TwoThemeRequest(10);
  request.themes = {"workload", "teamwork", "no-texts", "one-word", "no-synonyms"};
  request.train.push_back({"Dog!", {3}});
  request.train.push_back({"zorbleflux", {4}});
  request.train.push_back({"?!", {4}});  // cleans to nothing: no source
  auto result = generator.Generate(request, control);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // "dog" can only become canine, hound, "canine dog", "dog canine", "hound dog", "dog hound";
  // "zorbleflux" cannot change at all.
  EXPECT_THAT(result->shortfall_per_theme(), ElementsAre(0, 0, 10, 4, 10));
  std::set<std::string> one_word;
  for (const auto& t : result->texts()) {
    EXPECT_NE(t.theme(), "no-texts");
    EXPECT_NE(t.theme(), "no-synonyms");
    if (t.theme() == "one-word") one_word.insert(t.text());
  }
  EXPECT_EQ(one_word, (std::set<std::string>{"canine", "hound", "canine dog", "dog canine",
                                             "hound dog", "dog hound"}));
  // The other attempts made one of those again, or the real text itself: recorded as dropped.
  int one_word_drops = 0;
  for (const auto& drop : result->dropped()) {
    EXPECT_EQ(drop.reason(), "duplicate") << drop.text();
    EXPECT_EQ(drop.completion_index(), -1) << "EDA keeps no raw completions";
    if (drop.theme() != "one-word") continue;
    ++one_word_drops;
    EXPECT_TRUE(one_word.count(drop.text()) || drop.text() == "dog") << drop.text();
  }
  EXPECT_GT(one_word_drops, 0);
  EXPECT_EQ(control.progress_.size(), 5u);
}

TEST(EdaGeneratorTest, ZeroTextsPerThemeGivesAnEmptySetWithZeroShortfall) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl control;
  auto result = generator.Generate(TwoThemeRequest(0), control);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->texts_size(), 0);
  EXPECT_THAT(result->shortfall_per_theme(), ElementsAre(0, 0));
}

TEST(EdaGeneratorTest, CancellationReturnsCancelled) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl at_start;
  at_start.cancelled_ = true;
  auto a = generator.Generate(TwoThemeRequest(10), at_start);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kCancelled);

  FakeJobControl after_first_theme;
  after_first_theme.cancel_after_reports_ = 1;
  auto b = generator.Generate(TwoThemeRequest(10), after_first_theme);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCancelled);
  EXPECT_THAT(after_first_theme.progress_, ElementsAre(0.5f));
}

TEST(EdaGeneratorTest, RejectsBadAlphaAndOutOfRangeLabels) {
  EdaGenerator generator(FakeLexicon());
  FakeJobControl control;
  GenerateRequest zero_alpha = TwoThemeRequest(5);
  zero_alpha.generator.set_eda_alpha(0);
  auto a = generator.Generate(zero_alpha, control);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(a.status().message(), HasSubstr("eda_alpha"));

  GenerateRequest bad_label = TwoThemeRequest(5);
  bad_label.train[2].labels = {0, 2};
  auto b = generator.Generate(bad_label, control);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(b.status().message(), HasSubstr("train[2]"));
}

}  // namespace
}  // namespace augsweep
