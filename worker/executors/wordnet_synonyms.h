// WordNet 3.0 synonyms for the eda generator: which words can stand in for a word.
//
// Loads Debian's wordnet-base data files (data.{noun,verb,adj,adv} and, when present, the
// {noun,verb,adj,adv}.exc irregular-form lists) into memory once. A word's synonyms are the
// other lemmas of every synset that holds the word or one of its base forms (WordNet's "morphy":
// "cars" -> "car", "ran" -> "run"), as NLTK's wordnet.synsets() finds them for the reference EDA
// code. Synonyms are cleaned the way EDA cleans text (lowercase letters and single spaces), so a
// synonym can be dropped into a cleaned sentence as is.
//
// Thread safety: a loaded WordNetSynonyms is immutable; SynonymsOf may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace augsweep {

class WordNetSynonyms {
 public:
  // Where Debian's wordnet-base package puts the database.
  static constexpr std::string_view kDefaultDir = "/usr/share/wordnet";

  // Reads the data files of `dir`. A missing directory or data file is NotFound naming the file
  // and the package that provides it; a malformed line is DataLoss naming file and line.
  static StatusOr<std::shared_ptr<const WordNetSynonyms>> Load(const std::string& dir);

  // The database in kDefaultDir, loaded on the first call and shared by every later caller in the
  // process (thread-safe: concurrent first callers wait for the one load). A failed load is not
  // cached, so installing the package fixes a long-running worker without a restart.
  static StatusOr<std::shared_ptr<const WordNetSynonyms>> Default();

  // A hand-made lexicon for tests: each inner vector is one synset of nouns (words may contain
  // spaces). Base-form rules apply to it as to the real database.
  static std::shared_ptr<const WordNetSynonyms> FromSynsets(
      const std::vector<std::vector<std::string>>& noun_synsets);

  // The synonyms of a lowercase word: sorted, distinct, never the word itself; multiword
  // synonyms ("motor vehicle") contain single spaces. Empty when WordNet does not know the word.
  std::vector<std::string> SynonymsOf(std::string_view lowercase_word) const;

  std::size_t synset_count() const { return synsets_.size(); }
  std::size_t lemma_count() const { return lemmas_.size(); }

 private:
  enum Pos : uint8_t { kNoun = 0, kVerb = 1, kAdj = 2, kAdv = 3, kNumPos = 4 };
  struct Synset {
    Pos pos;
    uint32_t first;  // into synset_lemmas_
    uint32_t count;
  };

  WordNetSynonyms() = default;

  Status ParseDataFile(const std::string& path, Pos pos);
  Status ParseExceptionFile(const std::string& path, Pos pos);
  uint32_t InternLemma(std::string lemma);
  bool HasLemma(const std::string& lemma, Pos pos) const;
  // WordNet's morphy for one part of speech: the base forms of `word` that the database holds.
  std::vector<std::string> BaseForms(const std::string& word, Pos pos) const;

  std::vector<std::string> lemmas_;  // lowercase, '_' between the words of a multiword lemma
  std::unordered_map<std::string, uint32_t> lemma_ids_;
  std::vector<std::vector<uint32_t>> synsets_of_lemma_;  // [lemma id] -> synset ids
  std::vector<Synset> synsets_;
  std::vector<uint32_t> synset_lemmas_;  // lemma ids, synset after synset
  // Irregular inflections ("geese" -> "goose"), per part of speech.
  std::array<std::unordered_map<std::string, std::vector<std::string>>, kNumPos> exceptions_;
};

}  // namespace augsweep
