// TF-IDF features for the tfidf-logreg classifier: word unigrams and bigrams plus character
// n-grams inside words, weighted like scikit-learn's TfidfVectorizer(sublinear_tf=True,
// smooth_idf=True, norm="l2"). Fitted on a fold's training texts only, so nothing about the test
// texts (not even which words they contain) shapes the features.
//
// Text handling, byte by byte (no Unicode tables, so the result does not depend on a locale):
//  - lowercase: ASCII 'A'..'Z' become 'a'..'z'; every other byte, including every byte >= 0x80, is
//    kept as is (so "Ärger" and "ärger" stay different features; accepted: the alternative is a
//    Unicode case-folding table in a component that must stay dependency-free).
//  - words: maximal runs of ASCII letters, ASCII digits and bytes >= 0x80 (so a UTF-8 word stays
//    whole). Everything else separates words and is dropped. Unlike scikit-learn's default
//    token_pattern, one-character words count: short answers are the norm in the surveys this
//    classifies, and "a"/"i" n-grams cost nothing.
//  - word features: each word, and each pair of consecutive words ("w1 w2").
//  - character features ("char_wb"): each word is padded with one space on both sides and every
//    run of n characters of the padded word, n in [char_ngram_min, char_ngram_max], is a feature.
//    "ab" gives " a", "ab", "b ", " ab", "ab ", " ab ". n counts UTF-8 characters (a byte that is
//    not a continuation byte 10xxxxxx starts a character), so a multi-byte letter is never split.
//    Differs from scikit-learn in two details: words are the runs above (scikit-learn splits on
//    whitespace and keeps punctuation), and a padded word shorter than n gives no n-gram
//    (scikit-learn repeats the whole padded word, counting it twice).
//  - weights: tf = 1 + ln(count) for a feature present in the text;
//    idf = ln((1 + n) / (1 + df)) + 1 with n the number of training texts and df the number of
//    them that contain the feature;
//    value = tf * idf; then the row (word and character features together) is scaled to unit L2
//    norm. A row with no known feature stays all zero rather than becoming NaN.
//
// Vocabulary: every feature whose df >= min_df, in sorted order of its name; names are "w:" + the
// word or bigram and "c:" + the character n-gram (the prefixes keep the word "ab" and the
// character bigram "ab" apart). Sorted order makes column indices, and so everything trained on
// them, independent of hash-table iteration order.
//
// Thread safety: const methods may run concurrently; Fit may not run alongside anything else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct TfidfOptions {
  int min_df = 1;          // keep features that occur in at least this many training texts
  int word_ngram_max = 2;  // 1: unigrams only; 2: unigrams and bigrams (0 disables word features)
  int char_ngram_min = 2;  // character n-gram lengths, in characters; char_ngram_max = 0 disables
  int char_ngram_max = 4;
};

struct SparseEntry {
  int32_t index = 0;
  double value = 0;
  friend bool operator==(const SparseEntry&, const SparseEntry&) = default;
};

// One text's features: entries in strictly increasing index order, no zero values.
using SparseRow = std::vector<SparseEntry>;

class TfidfVectorizer {
 public:
  explicit TfidfVectorizer(TfidfOptions options = {}) : options_(options) {}

  // Learns the vocabulary and idf weights from `texts` (replacing any earlier fit).
  // Errors (InvalidArgument): no texts; options out of range (min_df < 1, word_ngram_max not in
  // 0..8, char n-gram bounds not 1 <= min <= max <= 16 unless char_ngram_max is 0).
  Status Fit(const std::vector<std::string>& texts);

  // Features of each text under the fitted vocabulary; features never seen in training are
  // ignored. Before Fit (or after a failed one) every row is empty.
  std::vector<SparseRow> Transform(const std::vector<std::string>& texts) const;
  SparseRow TransformOne(std::string_view text) const;

  int num_features() const { return static_cast<int>(feature_names_.size()); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }  // sorted
  const std::vector<double>& idf() const { return idf_; }  // parallel to feature_names()
  // Column of a feature name ("w:word", "c: ab"), or -1 when it is not in the vocabulary.
  int IndexOf(std::string_view name) const;

  // The raw feature names of one text with their counts, before vocabulary filtering (exposed for
  // tests and for inspecting what a text contributes). Sorted by name.
  static std::vector<std::pair<std::string, int>> ExtractFeatures(std::string_view text,
                                                                  const TfidfOptions& options);

 private:
  TfidfOptions options_;
  std::vector<std::string> feature_names_;
  std::vector<double> idf_;
  std::unordered_map<std::string, int32_t> index_;
};

}  // namespace augsweep
