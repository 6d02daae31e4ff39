// BERT's "basic tokenizer", the step before WordPiece: cleans the text, spaces out CJK
// ideographs, lower-cases and strips accents, and splits words at punctuation. Reimplemented
// after transformers' BasicTokenizer (models/bert/tokenization_bert.py, 4.36) so that the
// tokens match the slow BertTokenizer exactly:
//   1. drop U+0000, U+FFFD and control characters (general category C*, except \t \n \r);
//      \t \n \r and category Zs become a space;
//   2. put spaces around CJK Unified Ideographs (the blocks BERT lists), when enabled;
//   3. NFC-normalize;
//   4. split at Python whitespace (str.split());
//   5. each word not in never_split: lower-case it (do_lower_case), then strip accents (NFD and
//      drop category Mn) unless strip_accents is false; or only strip accents when strip_accents
//      is true;
//   6. split each word at punctuation: ASCII non-alphanumerics !../:..@/[..`/{..~ and category
//      P*; each punctuation character becomes a word of its own.
// Thread-safe; no state beyond its options.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace augsweep {

struct BertBasicTokenizerOptions {
  bool do_lower_case = true;
  bool tokenize_chinese_chars = true;
  // BertTokenizer's strip_accents: nullopt follows do_lower_case (the original BERT).
  std::optional<bool> strip_accents;
  bool split_on_punctuation = true;  // do_split_on_punc
  // Words kept whole, neither lower-cased nor split (BertTokenizer passes its special tokens).
  std::unordered_set<std::u32string> never_split;
};

// The words of `text` (code points, as a Python str).
std::vector<std::u32string> BertBasicTokenize(std::u32string_view text,
                                              const BertBasicTokenizerOptions& options);

// _is_punctuation, _is_control and _is_whitespace of transformers' tokenization_utils.py.
bool IsBertPunctuation(int32_t cp);
bool IsBertControl(int32_t cp);
bool IsBertWhitespace(int32_t cp);

}  // namespace augsweep
