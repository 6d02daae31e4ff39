// The label-consistency filter with the real tfidf-logreg classifier trained on a small corpus
// whose two themes use different words: a planted off-theme text is dropped, a planted text of
// both themes is relabelled with both.
#include "worker/executors/label_consistency.h"

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

v1::ClassifierSpec Spec() {
  v1::ClassifierSpec c;
  c.set_name("tfidf");
  c.set_kind("tfidf-logreg");
  c.set_epochs(200);
  c.set_learning_rate(0.5);
  c.set_weight_decay(0.01);
  return c;
}

TEST(LabelConsistencyTest, DropsAnOffThemeTextAndRelabelsAMixedOne) {
  TfidfLogRegClassifier classifier;
  NeverCancelled control;
  const std::vector<std::string> themes = {"staffing", "pay"};
  const std::vector<CandidateText> candidates = {
      {"nurses on the night shift are short because of the rota", 0},  // on theme
      {"wages and salary are too low", 0},                             // written for staffing
      {"short shifts and nurses and low wages and salary", 0},         // both themes
  };
  StatusOr<std::vector<LabelVerdict>> drop =
      CheckLabels(classifier, Spec(), 1, themes, TwoThemeCorpus(), candidates, 0.5,
                  LabelAction::kDrop, control);
  ASSERT_TRUE(drop.ok()) << drop.status().ToString();
  ASSERT_EQ(drop->size(), 3u);
  EXPECT_TRUE((*drop)[0].keep);
  EXPECT_THAT((*drop)[0].labels, ElementsAre(0));
  EXPECT_FALSE((*drop)[1].keep) << "p(staffing) = " << (*drop)[1].probabilities[0];
  EXPECT_THAT((*drop)[1].labels, IsEmpty());
  EXPECT_LT((*drop)[1].probabilities[0], 0.5);
  EXPECT_GT((*drop)[1].probabilities[1], 0.5);

  StatusOr<std::vector<LabelVerdict>> relabel =
      CheckLabels(classifier, Spec(), 1, themes, TwoThemeCorpus(), candidates, 0.3,
                  LabelAction::kRelabel, control);
  ASSERT_TRUE(relabel.ok());
  EXPECT_THAT((*relabel)[0].labels, ElementsAre(0));
  EXPECT_THAT((*relabel)[1].labels, ElementsAre(1)) << "written for staffing, reads as pay";
  EXPECT_TRUE((*relabel)[1].keep);
  EXPECT_THAT((*relabel)[2].labels, ElementsAre(0, 1))
      << "p = " << (*relabel)[2].probabilities[0] << ", " << (*relabel)[2].probabilities[1];
}

TEST(LabelConsistencyTest, TheClassifiersErrorsComeBack) {
  TfidfLogRegClassifier classifier;
  NeverCancelled control;
  v1::ClassifierSpec bad = Spec();
  bad.set_epochs(0);
  StatusOr<std::vector<LabelVerdict>> out =
      CheckLabels(classifier, bad, 1, {"a", "b"}, TwoThemeCorpus(), {{"x", 0}}, 0.5,
                  LabelAction::kDrop, control);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace augsweep
