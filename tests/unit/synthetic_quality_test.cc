// Set measures and the privacy audit (common/synthetic_quality/) on small sets worked by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/synthetic_quality/privacy_audit.h"
#include "common/synthetic_quality/set_measures.h"
#include "common/synthetic_quality/word_tokens.h"

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(WordTokensTest, LowerCasedRunsOfLettersAndDigits) {
  EXPECT_THAT(WordTokens("Ward 7's rota -- IMPOSSIBLE!"),
              ElementsAre("ward", "7", "s", "rota", "impossible"));
  EXPECT_THAT(WordTokens("Zoë said: ok"), ElementsAre("zoë", "said", "ok"));
  EXPECT_THAT(WordTokens(" ,;. "), IsEmpty());
}

// By hand: synthetic "a b a" and "b c".
//   unigrams a b a b c: 3 distinct of 5 -> 0.6; bigrams (a b) (b a) (b c): 3 of 3 -> 1.
//   word sets {a, b} and {b, c}: Jaccard 1/3. Lengths 3 and 2: mean 2.5, sample SD sqrt(0.5).
//   Against real "a b" and "c d": {a, b} is 1 from the first; {b, c} is 1/3 from both.
//   Nearest: sorted [1/3, 1]: mean 2/3, median (rank ceil(1)) 1/3, p90 (rank ceil(1.8)) 1, max 1.
TEST(SetMeasuresTest, HandWorkedSmallSet) {
  const SetMeasures m = MeasureSet({"a b a", "B, c"}, {"a b", "c d"});
  EXPECT_EQ(m.texts, 2);
  EXPECT_DOUBLE_EQ(m.distinct_1, 0.6);
  EXPECT_DOUBLE_EQ(m.distinct_2, 1.0);
  EXPECT_DOUBLE_EQ(m.mean_pairwise_jaccard, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.length_mean, 2.5);
  EXPECT_DOUBLE_EQ(m.length_sd, std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(m.nearest_real_mean, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.nearest_real_p50, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.nearest_real_p90, 1.0);
  EXPECT_DOUBLE_EQ(m.nearest_real_max, 1.0);
}

TEST(SetMeasuresTest, RepeatsLowerDiversityAndCopiesRaiseNearestReal) {
  const std::vector<std::string> real = {"the night shift is short of nurses",
                                         "managers never listen to ward staff"};
  const SetMeasures varied =
      MeasureSet({"rotas change with no notice", "we need more porters at night"}, real);
  const SetMeasures repeated =
      MeasureSet({"rotas change with no notice", "rotas change with no notice"}, real);
  EXPECT_LT(repeated.distinct_1, varied.distinct_1);
  EXPECT_DOUBLE_EQ(repeated.mean_pairwise_jaccard, 1.0);
  const SetMeasures copied = MeasureSet({"the night shift is short of nurses"}, real);
  EXPECT_DOUBLE_EQ(copied.nearest_real_max, 1.0);
  EXPECT_LT(varied.nearest_real_max, 0.5);
}

TEST(SetMeasuresTest, EmptyAndSingleSets) {
  const SetMeasures empty = MeasureSet({}, {"a"});
  EXPECT_EQ(empty.texts, 0);
  EXPECT_EQ(empty.distinct_1, 0);
  EXPECT_EQ(empty.nearest_real_mean, 0);
  const SetMeasures one = MeasureSet({"x y"}, {});
  EXPECT_EQ(one.length_sd, 0);
  EXPECT_EQ(one.mean_pairwise_jaccard, 0);
  EXPECT_EQ(one.nearest_real_max, 0) << "no real text to be near";
}

const std::vector<std::string> kReal = {
    "The night nurse on ward seven said the rota was impossible this winter",
    "Dr Okonkwo was kind to every patient on the unit",
    "Staff on the unit were kind but tired",
};

// A planted copy of 10 words, a planted rare name, and a text with neither.
TEST(PrivacyAuditTest, FindsAPlantedCopyAndAPlantedRareToken) {
  const PrivacyAudit audit =
      AuditSet({"I heard the night nurse on ward seven said the rota was bad",  // 10 shared words
                "Everyone liked Okonkwo",  // okonkwo: 1 real text
                "The unit was kind"},      // common words only
               kReal);
  EXPECT_EQ(audit.longest_span_words, 10);
  EXPECT_DOUBLE_EQ(audit.share_with_long_span, 1.0 / 3.0);
  EXPECT_EQ(audit.texts_with_rare_tokens, 2) << "the copy holds rare words of its real text too";
  ASSERT_EQ(audit.worst.size(), 2u);
  EXPECT_EQ(audit.worst[0].text_index, 0);
  EXPECT_EQ(audit.worst[0].longest_span_words, 10);
  EXPECT_EQ(audit.worst[0].span, "the night nurse on ward seven said the rota was");
  EXPECT_THAT(audit.worst[0].rare_tokens,
              ElementsAre("night", "nurse", "ward", "seven", "said", "rota"));
  EXPECT_EQ(audit.worst[1].text_index, 1);
  EXPECT_THAT(audit.worst[1].rare_tokens, ElementsAre("okonkwo"));
  EXPECT_EQ(audit.worst[1].span, "okonkwo");
  // "the", "on", "kind", "unit", "was" are in more than one real text: never rare.
  for (const AuditFinding& f : audit.worst) {
    for (const std::string& t : f.rare_tokens) EXPECT_NE(t, "kind");
  }
}

TEST(PrivacyAuditTest, SpansNeverCrossTwoRealTexts) {
  // "winter dr okonkwo" would join the end of the first real text to the start of the second.
  const PrivacyAudit audit = AuditSet({"impossible this winter Dr Okonkwo was"}, kReal);
  EXPECT_EQ(audit.longest_span_words, 3);
  EXPECT_EQ(audit.worst[0].span, "impossible this winter");
}

TEST(PrivacyAuditTest, CountsRareRealTokensAndRespectsTheThresholdAndLimit) {
  const PrivacyAudit audit = AuditSet({"nothing shared here at all"}, kReal, /*span_threshold=*/8);
  EXPECT_EQ(audit.longest_span_words, 0);
  EXPECT_THAT(audit.worst, IsEmpty());
  EXPECT_EQ(audit.share_with_long_span, 0);
  // Words of exactly one real text (the and on are in all three; was, kind and unit in two):
  // night nurse ward seven said rota impossible this winter; dr okonkwo to every patient;
  // staff were but tired.
  EXPECT_EQ(audit.rare_tokens_in_real, 9 + 5 + 4);
  const PrivacyAudit limited =
      AuditSet({"the night nurse", "ward seven said", "okonkwo"}, kReal, 2, /*max_findings=*/2);
  EXPECT_EQ(limited.worst.size(), 2u);
  EXPECT_EQ(limited.worst[0].longest_span_words, 3);
}

}  // namespace
}  // namespace augsweep
