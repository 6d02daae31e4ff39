// The "eda" generator kind: Easy Data Augmentation (Wei & Zou 2019, "EDA: Easy Data
// Augmentation Techniques for Boosting Performance on Text Classification Tasks").
//
// No model: each synthetic text is a training text of the theme changed by one of four
// operations (synonym replacement, random insertion, random swap, random deletion), with WordNet
// as the source of synonyms. It is the cheap baseline an LLM generator has to beat.
// The operations are free functions so tests can check each one alone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/deterministic_rng.h"
#include "worker/executors/executor.h"
#include "worker/executors/wordnet_synonyms.h"

namespace augsweep {

// EDA's text cleaning: apostrophes are dropped ("don't" -> "dont"), every other character that is
// not an ASCII letter becomes a space, letters are lowercased, spaces are single, no edges.
std::string CleanEdaText(std::string_view text);

// The words of a cleaned text (split on single spaces; no empty words).
std::vector<std::string> SplitWords(std::string_view cleaned);

// Function words that synonym replacement leaves alone (their WordNet "synonyms" are mostly
// unrelated senses: "in" -> "indium", "it" -> "information technology").
bool IsEdaStopWord(std::string_view word);

// The number of words an operation changes in a text of `num_words` words: max(1, alpha * n).
int EdaChangeCount(double alpha, std::size_t num_words);

// Replaces up to n distinct non-stop words (every occurrence of each) by a random synonym; words
// without synonyms are passed over. Multiword synonyms are split into their words.
std::vector<std::string> SynonymReplacement(const std::vector<std::string>& words, int n,
                                            const WordNetSynonyms& lexicon, DeterministicRng& rng);

// n times: a random synonym of a random word of the sentence so far (up to 10 draws to find a word
// that has one; none found -> that insertion is skipped) is inserted at a random position.
std::vector<std::string> RandomInsertion(const std::vector<std::string>& words, int n,
                                         const WordNetSynonyms& lexicon, DeterministicRng& rng);

// n times: two distinct random positions swap their words (nothing happens below two words).
std::vector<std::string> RandomSwap(const std::vector<std::string>& words, int n,
                                    DeterministicRng& rng);

// Drops each word with probability p; a single word is kept, and when every word was dropped one
// random word of the input is returned, so the result is never empty for a non-empty input.
std::vector<std::string> RandomDeletion(const std::vector<std::string>& words, double p,
                                        DeterministicRng& rng);

enum class EdaOperation { kSynonymReplacement = 0, kRandomInsertion, kRandomSwap, kRandomDeletion };
inline constexpr int kNumEdaOperations = 4;

// One operation with alpha as EDA uses it: the change count for SR, RI and RS, the deletion
// probability for RD.
std::vector<std::string> ApplyEdaOperation(EdaOperation op, const std::vector<std::string>& words,
                                           double alpha, const WordNetSynonyms& lexicon,
                                           DeterministicRng& rng);

// The seed of one theme's sample stream: (seed, repeat, fold, theme) mixed with SplitMix64 steps,
// so every job and theme draws an independent, reproducible stream.
uint64_t EdaStreamSeed(uint64_t seed, int repeat, int fold, int theme);

class EdaGenerator : public GeneratorExecutor {
 public:
  // Attempts per requested text before a theme's shortfall is reported.
  static constexpr int kAttemptsPerText = 20;

  explicit EdaGenerator(std::shared_ptr<const WordNetSynonyms> lexicon);

  // For each theme, texts_per_theme texts, each a training text of that theme (drawn in a seeded
  // order, cycling) changed by one seeded-random operation. Empty results, copies of a training
  // text of the theme and repeats of an earlier output of the theme are dropped and redrawn; what
  // is still missing after kAttemptsPerText * texts_per_theme draws, or for a theme without
  // training texts, is reported in shortfall_per_theme. `prompts` holds each source text once;
  // texts[i].prompt_index names its source. Temperature is ignored.
  StatusOr<v1::SyntheticSet> Generate(const GenerateRequest& request, JobControl& control) override;

 private:
  std::shared_ptr<const WordNetSynonyms> lexicon_;
};

}  // namespace augsweep
