// SentencePiece's BPE model (trainer_spec.model_type = BPE, as in LLaMA 1/2, Mistral and
// llama2.c's tokenizers), after bpe_model.cc: start from single characters (user-defined
// pieces whole and frozen), repeatedly merge the adjacent pair whose concatenation is a piece
// with the highest score (ties: leftmost), then split any "unused" piece back into its parts.
// Unknown characters become <0xXX> byte pieces (byte_fallback) or <unk>; both are handled by
// the base class.
#pragma once

#include "common/tokenizers/sentencepiece_tokenizer.h"

namespace augsweep {

class SentencePieceBpeTokenizer final : public SentencePieceTokenizer {
 public:
  explicit SentencePieceBpeTokenizer(SentencePieceModel model)
      : SentencePieceTokenizer(std::move(model)) {}

 protected:
  void SegmentNormalized(std::string_view normalized, PieceList* out) const override;
};

}  // namespace augsweep
