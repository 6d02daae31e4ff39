// Set measures and the privacy audit (common/synthetic_quality/) on small sets worked by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/synthetic_quality/near_duplicates.h"
#include "common/synthetic_quality/privacy_audit.h"
#include "common/synthetic_quality/sanity_filter.h"
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

// A planted near-duplicate (a middle word of 15 changed: 12 of 16 word pairs shared, 0.75) and an
// exact one are found; the first of a group stays; unrelated texts stay.
TEST(NearDuplicatesTest, PlantedDuplicatesAmongTheSyntheticAndOfTheRealTexts) {
  const std::string base =
      "the rota changes every week and nobody on the ward is told until the day";
  const std::string near =
      "the rota changes every month and nobody on the ward is told until the day";
  EXPECT_DOUBLE_EQ(ShingleJaccard(base, near), 12.0 / 16.0);
  const std::vector<std::string> real = {"managers never listen to what the night staff say"};
  const std::vector<DuplicateVerdict> v =
      FindNearDuplicates({base, "porters are always late with the wheelchairs", near,
                          "Managers never listen to "
                          "what the night staff say!",
                          base},
                         real);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_FALSE(v[0].duplicate);
  EXPECT_FALSE(v[1].duplicate);
  EXPECT_TRUE(v[2].duplicate);
  EXPECT_FALSE(v[2].of_real);
  EXPECT_EQ(v[2].of_index, 0);
  EXPECT_DOUBLE_EQ(v[2].similarity, 0.75);
  EXPECT_TRUE(v[3].duplicate) << "the same words as a real text";
  EXPECT_TRUE(v[3].of_real);
  EXPECT_EQ(v[3].of_index, 0);
  EXPECT_DOUBLE_EQ(v[3].similarity, 1.0);
  EXPECT_TRUE(v[4].duplicate);
  EXPECT_EQ(v[4].of_index, 0) << "a duplicate of the first, which stayed";
  // Above the planted similarity, the near copy stays.
  NearDuplicateOptions strict;
  strict.threshold = 0.8;
  EXPECT_FALSE(FindNearDuplicates({base, near}, {}, strict)[1].duplicate);
}

// LSH only narrows the candidates: over many random pairs it agrees with comparing every pair.
TEST(NearDuplicatesTest, AgreesWithComparingEveryPair) {
  const std::vector<std::string> vocabulary = {"staff", "ward",  "night", "rota",  "late",
                                               "pay",   "nurse", "shift", "tired", "kind"};
  std::vector<std::string> texts;
  uint64_t state = 12345;
  for (int t = 0; t < 60; ++t) {
    std::string text;
    for (int w = 0; w < 6; ++w) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += vocabulary[(state >> 33) % 4 + (t % 2) * 6] + " ";  // two groups of 4 words
    }
    texts.push_back(text);
  }
  const std::vector<DuplicateVerdict> v = FindNearDuplicates(texts, {});
  std::vector<int> kept;
  int duplicates = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    bool expected = false;
    for (int k : kept)
      expected = expected || ShingleJaccard(texts[i], texts[static_cast<size_t>(k)]) >= 0.7;
    EXPECT_EQ(v[i].duplicate, expected) << i << ": " << texts[i];
    if (!expected) kept.push_back(static_cast<int>(i));
    duplicates += expected;
  }
  EXPECT_GT(duplicates, 0);
  EXPECT_LT(duplicates, 55) << "the set must hold both kinds for the comparison to mean much";
}

TEST(SanityFilterTest, EachReasonOnAPlantedText) {
  const std::string prompt = "Write one more comment staff might make about staffing:";
  const std::vector<std::string> examples = {"There are never enough nurses on nights"};
  EXPECT_EQ(SanityReason("Porters are always late on the ward", prompt, examples), "");
  EXPECT_EQ(SanityReason("  ...  ", prompt, examples), "empty");
  EXPECT_EQ(SanityReason("Too few", prompt, examples), "too short");
  std::string long_text;
  for (int i = 0; i < 201; ++i) long_text += "word ";
  EXPECT_EQ(SanityReason(long_text, prompt, examples), "too long");
  EXPECT_EQ(SanityReason("12 34 56 78 !! ?? ok", prompt, examples), "non-letters");
  EXPECT_EQ(SanityReason("comment staff might make about staffing", prompt, examples),
            "echo of the prompt");
  EXPECT_EQ(SanityReason("there are NEVER enough nurses on nights!", prompt, examples),
            "echo of an example");
  SanityOptions loose;
  loose.min_words = 2;
  EXPECT_EQ(SanityReason("Too few", prompt, examples, loose), "");
}

}  // namespace
}  // namespace augsweep
