// SentencePiece's unigram model (trainer_spec.model_type = UNIGRAM: XLNet's, T5's and ALBERT's
// spiece.model), after unigram_model.cc Model::EncodeOptimized (sentencepiece 0.1.97): the
// segmentation of the normalized text that maximizes the sum of piece scores (Viterbi).
//   * Candidates are the normal, user-defined and unused pieces; unused pieces are skipped.
//   * A user-defined piece scores length_in_bytes * max_score - 0.1, where max_score is the
//     largest normal-piece score but at least FLT_MIN (SentencePiece's quirk: with the usual
//     negative scores this is about -0.1, so user-defined pieces always win).
//   * A character that starts no single-character piece gets an <unk> node scoring
//     min_score - 10 (min over normal pieces); the base class merges runs of them or spells
//     them as bytes (byte_fallback).
//   * Scores add up in float, as in SentencePiece; on equal totals the path whose last piece
//     starts earliest wins, because candidates are tried in that order and only a strictly
//     better score replaces one.
#pragma once

#include "common/tokenizers/byte_trie.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"

namespace augsweep {

class SentencePieceUnigramTokenizer final : public SentencePieceTokenizer {
 public:
  explicit SentencePieceUnigramTokenizer(SentencePieceModel model);

 protected:
  void SegmentNormalized(std::string_view normalized, PieceList* out) const override;

 private:
  ByteTrie trie_;  // normal, user-defined and unused pieces -> id
  float min_score_;
  float max_score_;
};

}  // namespace augsweep
