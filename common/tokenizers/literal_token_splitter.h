// Splits text around the literal text of special/added tokens ("<s>", "<|endoftext|>",
// "<|begin_of_text|>"), the first step of both Hugging Face tokenizers: such text becomes the
// token's id instead of being tokenized as characters. Matches are leftmost, then longest, and do
// not overlap (transformers' Trie.split, tokenizers' AddedVocabulary with a leftmost-longest
// Aho-Corasick automaton).
//
// The tokenizers-library flags are honoured: lstrip/rstrip also swallow the Unicode whitespace
// to the left/right of the match, and single_word only accepts a match that is not glued to a word
// character on either side (\w approximated as letters, marks, decimal digits, connector
// punctuation).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace augsweep {

struct LiteralToken {
  std::string content;  // non-empty
  int32_t id = -1;
  bool lstrip = false;
  bool rstrip = false;
  bool single_word = false;
};

class LiteralTokenSplitter {
 public:
  struct Segment {
    std::string_view text;  // the plain text, when id < 0
    int32_t id = -1;        // a literal token's id
  };

  LiteralTokenSplitter() = default;
  explicit LiteralTokenSplitter(std::vector<LiteralToken> tokens);

  bool empty() const { return tokens_.empty(); }

  // Splits `text`; plain segments are never empty. Without tokens: one segment (none for "").
  std::vector<Segment> Split(std::string_view text) const;

 private:
  std::vector<LiteralToken> tokens_;
  // Indices into tokens_ by first byte, longest content first.
  std::array<std::vector<uint32_t>, 256> by_first_byte_;
};

}  // namespace augsweep
