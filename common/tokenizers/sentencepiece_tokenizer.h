// SentencePiece tokenizers read from a `tokenizer.model`, reimplemented after
// google/sentencepiece (normalizer.cc, sentencepiece_processor.cc) without linking it.
//
// This base class holds what every SentencePiece model type shares: the identity normalizer with
// its whitespace flags, the piece tables, byte fallback and <unk> handling, Hugging Face
// LlamaTokenizer's (legacy=True) special-token handling, and decoding. A model type supplies only
// the segmentation of normalized text (SegmentNormalized): BPE in sentencepiece_bpe.h; a unigram
// subclass (XLNet's spiece.model) is the planned extension point and is rejected as Unimplemented
// until then.
//
// Not supported (load fails with Unimplemented, naming the file): normalization tables
// (precompiled_charsmap, e.g. nmt_nfkc; LLaMA and Mistral use "identity"), denormalizers, and
// treat_whitespace_as_suffix.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/tokenizers/literal_token_splitter.h"
#include "common/tokenizers/sentencepiece_model.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep {

class SentencePieceTokenizer : public Tokenizer {
 public:
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

  // Encode(text, false) == sp.encode(text). Encode(text, true) == HF LlamaTokenizer(legacy=True)
  // .encode(text): BOS (when the model has one), then the text split around the literal text of
  // the control and unknown pieces ("<s>", "</s>", "<unk>"), each part encoded on its own (so
  // each gets its own dummy-prefix "▁", as in the Python tokenizer).
  std::vector<int32_t> Encode(std::string_view text, bool add_special) const final;
  // skip_special = true: exactly sp.decode(ids): control pieces vanish, <unk> prints as the
  // model's unk_surface (" ⁇ "), byte pieces are reassembled (each bad byte -> U+FFFD), "▁" is a
  // space and the first piece's leading "▁" (the dummy prefix) is dropped.
  // skip_special = false: control and unknown pieces print as their piece text ("<s>", "<unk>");
  // otherwise the same.
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special) const final;
  // Like llama2.c's decode(): after BOS (or at the start) a leading "▁" is dropped; a byte piece
  // returns its single raw byte; control pieces return "", <unk> its surface.
  std::string DecodePiece(int32_t previous, int32_t id) const final;

  int32_t vocab_size() const final { return static_cast<int32_t>(model_.pieces.size()); }
  // Found like SentencePieceProcessor::bos_id(): the id of trainer_spec.bos_piece ("<s>") when
  // that piece is a control piece, else -1. Likewise eos ("</s>") and pad ("<pad>").
  int32_t bos_id() const final { return bos_id_; }
  int32_t eos_id() const final { return eos_id_; }
  int32_t pad_id() const final { return pad_id_; }
  int32_t unk_id() const { return unk_id_; }
  std::string IdToPiece(int32_t id) const final;
  // SentencePiece's lookup order (control/unknown/byte pieces first), but -1 instead of unk_id
  // for a string that is no piece.
  int32_t PieceToId(std::string_view piece) const final;

  // The text the model segments: spaces become "▁" (escape_whitespaces), a "▁" goes in front
  // (add_dummy_prefix), and with remove_extra_whitespaces leading/trailing spaces are dropped
  // and runs of spaces collapse to one. Each byte that is not valid UTF-8 becomes U+FFFD.
  std::string Normalize(std::string_view text) const;

  const SentencePieceModel& model() const { return model_; }

 protected:
  explicit SentencePieceTokenizer(SentencePieceModel model);

  using PieceList = std::vector<std::pair<std::string_view, int32_t>>;
  // Segments `normalized` (non-empty, valid UTF-8) into pieces that cover it in order, each with
  // SentencePieceIdOf(piece).
  virtual void SegmentNormalized(std::string_view normalized, PieceList* out) const = 0;

  // Id of a normal, user-defined or unused piece (the pieces segmentation may produce), or -1.
  int32_t NormalPieceId(std::string_view piece) const;
  // ModelInterface::PieceToId: reserved pieces, then normal ones, else unk_id().
  int32_t SentencePieceIdOf(std::string_view piece) const;
  // Length of the longest user-defined piece at the start of `text`, 0 if none.
  size_t MatchUserDefined(std::string_view text) const;
  SentencePieceModel::PieceType type(int32_t id) const { return model_.pieces[id].type; }
  float score(int32_t id) const { return model_.pieces[id].score; }

 private:
  void EncodeText(std::string_view text, std::vector<int32_t>* ids) const;
  bool StripsBosSpace() const { return model_.add_dummy_prefix || model_.remove_extra_whitespaces; }

  SentencePieceModel model_;
  // Keys view into model_.pieces, which never changes after construction.
  std::unordered_map<std::string_view, int32_t> normal_pieces_;
  std::unordered_map<std::string_view, int32_t> reserved_pieces_;
  std::vector<std::string_view> user_defined_;  // longest first
  int32_t byte_ids_[256];
  int32_t unk_id_ = -1;
  int32_t bos_id_ = -1;
  int32_t eos_id_ = -1;
  int32_t pad_id_ = -1;
  LiteralTokenSplitter special_splitter_;  // control and unknown pieces' text
};

// Parses a ModelProto and builds the tokenizer for its model type. `name` (usually the path)
// prefixes every error.
StatusOr<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizerFromBytes(
    std::string_view bytes, const std::string& name);

// Reads and parses a `tokenizer.model` file.
StatusOr<std::unique_ptr<SentencePieceTokenizer>> LoadSentencePieceTokenizer(
    const std::string& path);

}  // namespace augsweep
