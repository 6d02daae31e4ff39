// SentencePiece's BPE model (trainer_spec.model_type = BPE, as in LLaMA 1/2, Mistral and
// llama2.c's tokenizers), after bpe_model.cc: start from single characters (user-defined
// pieces whole and frozen), repeatedly merge the adjacent pair whose concatenation is a piece
// with the highest score (ties: leftmost), then split any "unused" piece back into its parts.
// Unknown characters become <0xXX> byte pieces (byte_fallback) or <unk>; both are handled by
// the base class.
#pragma once

#include <string>
#include <unordered_set>

#include "common/tokenizers/sentencepiece_tokenizer.h"

namespace augsweep {

//
// Speed: SentencePiece merges over the whole text at once, so its heap grows with the input and
// every operation misses the cache. Merges cannot cross a boundary that no piece spans, so we cut
// the text before each space symbol that no piece has glued to the character in front of it
// (with split_by_whitespace models that is before every word) and merge each part on its own: the
// same result, several times faster on long texts. Models with unused pieces are merged whole,
// because SentencePiece resolves those across the entire text.
class SentencePieceBpeTokenizer final : public SentencePieceTokenizer {
 public:
  explicit SentencePieceBpeTokenizer(SentencePieceModel model);

 protected:
  void SegmentNormalized(std::string_view normalized, PieceList* out) const override;

 private:
  void SegmentPart(std::string_view normalized, size_t begin, size_t end, PieceList* out) const;

  std::string space_;  // the space symbol in normalized text: "▁", or " " without escaping
  // Characters that some piece has directly in front of a space symbol: never cut after them.
  std::unordered_set<std::string> glued_before_space_;
  bool split_into_parts_ = true;
};

}  // namespace augsweep
