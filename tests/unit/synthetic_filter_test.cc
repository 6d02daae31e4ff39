// The FILTER job's checks over a small generated set, with the real tfidf-logreg classifier for
// the label check: planted texts are dropped by the check meant for them, a mixed text is
// relabelled, the kept texts stay in generation order and the shortfall counts the drops.
#include "worker/synthetic_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/two_theme_corpus.h"
#include "worker/executors/tfidf_logreg.h"

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class NeverCancelled : public JobControl {
 public:
  bool cancelled() const override { return false; }
  void ReportProgress(float) override {}
};

const std::vector<std::string> kThemes = {"staffing", "pay"};

void AddText(v1::SyntheticSet& set, const std::string& theme, const std::string& text,
             int prompt_index = 0) {
  v1::SyntheticText* t = set.add_texts();
  t->set_theme(theme);
  t->set_text(text);
  t->set_prompt_index(prompt_index);
  t->set_completion_index(set.texts_size() - 1);
}

// A generated set as a llama job leaves it: 5 staffing texts, 3 pay texts, wanted 6 of each.
v1::SyntheticSet Generated() {
  v1::SyntheticSet set;
  set.set_prompt_template("Write a staff comment about {theme}.\n{examples}\n-");
  set.add_prompts(
      "Write a staff comment about staffing.\n- the rota leaves the night shift short of "
      "nurses\n- not enough nurses on the late shift\n-");
  AddText(set, "staffing", "nurses on the night shift are short because of the rota");  // kept
  AddText(set, "staffing", "The rota leaves the night shift short of nurses!");         // echo
  AddText(set, "staffing", "wages and salary are too low");                             // off label
  AddText(set, "staffing",
          "nurses on the night shift are short because of the rota again");  // near dup
  AddText(set, "staffing", "ok");                                            // too short
  AddText(set, "pay", "the salary is too low and wages are late");
  AddText(set, "pay", "short shifts and nurses and low wages and salary");  // both themes
  AddText(set, "pay", "pay and wages fall behind other trusts");            // copy of a real text
  set.add_shortfall_per_theme(1);
  set.add_shortfall_per_theme(3);
  return set;
}

class SyntheticFilterTest : public ::testing::Test {
 protected:
  SyntheticFilterTest() {
    registry_.AddClassifier("tfidf-logreg", std::make_unique<TfidfLogRegClassifier>());
    generated_ = Generated();
  }

  StatusOr<v1::SyntheticSet> Filter(const v1::FilterSpec& filter) {
    FilterInputs in;
    in.filter = &filter;
    in.generated = &generated_;
    in.themes = kThemes;
    in.real_train = TwoThemeCorpus();
    in.seed = 7;
    return FilterSyntheticSet(in, registry_, control_);
  }

  static v1::LabelCheck Label(const std::string& action, double threshold) {
    v1::LabelCheck l;
    v1::ClassifierSpec& c = *l.mutable_classifier();
    c.set_name("tfidf");
    c.set_kind("tfidf-logreg");
    c.set_epochs(200);
    c.set_learning_rate(0.5);
    c.set_weight_decay(0.01);
    l.set_threshold(threshold);
    l.set_action(action);
    return l;
  }

  static std::vector<std::string> Texts(const v1::SyntheticSet& set) {
    std::vector<std::string> out;
    for (const v1::SyntheticText& t : set.texts()) out.push_back(t.text());
    return out;
  }

  static std::vector<std::string> Drops(const v1::SyntheticSet& set) {
    std::vector<std::string> out;
    for (const v1::DroppedText& d : set.dropped())
      out.push_back(d.filter() + ": " + d.reason() + ": " + d.text());
    return out;
  }

  ExecutorRegistry registry_;
  NeverCancelled control_;
  v1::SyntheticSet generated_;
};

TEST_F(SyntheticFilterTest, NoCheckKeepsEverythingInOrder) {
  v1::FilterSpec none;
  none.set_name("none");
  StatusOr<v1::SyntheticSet> out = Filter(none);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Texts(*out), Texts(generated_));
  EXPECT_THAT(out->dropped(), IsEmpty());
  EXPECT_THAT(out->shortfall_per_theme(), ElementsAre(1, 3));
  EXPECT_EQ(out->prompts_size(), 1);
  EXPECT_EQ(out->prompt_template(), generated_.prompt_template());
}

TEST_F(SyntheticFilterTest, SanityDropsTheShortTextAndTheEchoOfAShownExample) {
  v1::FilterSpec filter;
  filter.set_name("sanity");
  filter.mutable_sanity()->set_min_words(3);
  filter.mutable_sanity()->set_max_words(200);
  filter.mutable_sanity()->set_min_letter_share(0.5);
  filter.mutable_sanity()->set_echo_jaccard(0.9);
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // The copy of a real pay text was not in its prompt: the sanity check leaves it to the
  // duplicate check.
  EXPECT_THAT(Drops(*out),
              ElementsAre("sanity: echo of an example: The rota leaves the night shift short of "
                          "nurses!",
                          "sanity: too short: ok"));
  EXPECT_EQ(out->texts_size(), 6);
  EXPECT_THAT(out->shortfall_per_theme(), ElementsAre(3, 3));
}

TEST_F(SyntheticFilterTest, DuplicatesDropsTheNearCopyAndTheCopyOfARealText) {
  v1::FilterSpec filter;
  filter.set_name("dedup");
  filter.mutable_duplicates()->set_threshold(0.7);
  filter.mutable_duplicates()->set_shingle_words(2);
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(
      Drops(*out),
      ElementsAre("duplicates: near duplicate of a real text: The rota leaves the night shift "
                  "short of nurses!",
                  "duplicates: near duplicate: nurses on the night shift are short because of the "
                  "rota again",
                  "duplicates: near duplicate of a real text: pay and wages fall behind other "
                  "trusts"));
  // The first of the near pair stays: generation order decides.
  EXPECT_EQ(out->texts(0).text(), "nurses on the night shift are short because of the rota");
}

TEST_F(SyntheticFilterTest, LabelCheckDropsTheOffThemeText) {
  v1::FilterSpec filter;
  filter.set_name("label");
  *filter.mutable_label_consistency() = Label("drop", 0.5);
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  bool off_label_dropped = false;
  for (const v1::DroppedText& d : out->dropped()) {
    EXPECT_EQ(d.filter(), "label_consistency");
    EXPECT_EQ(d.reason(), "off label");
    EXPECT_LT(d.intended_probability(), 0.5f);
    off_label_dropped |= d.text() == "wages and salary are too low";
  }
  EXPECT_TRUE(off_label_dropped) << ::testing::PrintToString(Drops(*out));
  for (const v1::SyntheticText& t : out->texts()) EXPECT_THAT(t.labels(), IsEmpty());
}

TEST_F(SyntheticFilterTest, RelabelGivesTheMixedTextBothThemesAndTheOffThemeTextItsOwn) {
  v1::FilterSpec filter;
  filter.set_name("relabel");
  *filter.mutable_label_consistency() = Label("relabel", 0.3);
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::map<std::string, std::vector<std::string>> labels;
  for (const v1::SyntheticText& t : out->texts())
    labels[t.text()] = {t.labels().begin(), t.labels().end()};
  EXPECT_THAT(labels["short shifts and nurses and low wages and salary"],
              ElementsAre("staffing", "pay"));
  // Written for staffing, about pay: it trains as a pay text now, and stays in staffing's list.
  EXPECT_THAT(labels["wages and salary are too low"], ElementsAre("pay"));
  EXPECT_THAT(labels["nurses on the night shift are short because of the rota"], IsEmpty());
  EXPECT_EQ(out->texts(2).theme(), "staffing");
}

TEST_F(SyntheticFilterTest, ChecksRunInOrderAndKeepTheGenerationOrder) {
  v1::FilterSpec filter;
  filter.set_name("all");
  filter.mutable_sanity()->set_min_words(3);
  filter.mutable_sanity()->set_max_words(200);
  filter.mutable_sanity()->set_min_letter_share(0.5);
  filter.mutable_sanity()->set_echo_jaccard(0.9);
  filter.mutable_duplicates()->set_threshold(0.7);
  filter.mutable_duplicates()->set_shingle_words(2);
  *filter.mutable_label_consistency() = Label("drop", 0.5);
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // The echo goes to sanity (first), not to duplicates.
  std::vector<std::string> checks;
  for (const v1::DroppedText& d : out->dropped()) checks.push_back(d.filter());
  EXPECT_THAT(checks,
              ElementsAre("sanity", "sanity", "duplicates", "duplicates", "label_consistency"));
  // The mixed pay text scores p(pay) above 0.5 (label_consistency_test: 0.571) and stays.
  EXPECT_THAT(Texts(*out), ElementsAre("nurses on the night shift are short because of the rota",
                                       "the salary is too low and wages are late",
                                       "short shifts and nurses and low wages and salary"));
  // Generated 1 and 3 short of 6; then staffing lost 4 texts, pay 1.
  EXPECT_THAT(out->shortfall_per_theme(), ElementsAre(5, 4));
  for (const v1::DroppedText& d : out->dropped()) {
    EXPECT_GE(d.prompt_index(), 0);
    EXPECT_GE(d.completion_index(), 0);
  }
}

TEST_F(SyntheticFilterTest, ALabelCheckWithoutItsClassifierKindIsRefused) {
  v1::FilterSpec filter;
  filter.set_name("label");
  *filter.mutable_label_consistency() = Label("drop", 0.5);
  filter.mutable_label_consistency()->mutable_classifier()->set_kind("roberta");
  StatusOr<v1::SyntheticSet> out = Filter(filter);
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SyntheticFilterTest, AnUnknownThemeIsDataLoss) {
  AddText(generated_, "parking", "no spaces left at the hospital car park");
  v1::FilterSpec none;
  none.set_name("none");
  EXPECT_EQ(Filter(none).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace augsweep
