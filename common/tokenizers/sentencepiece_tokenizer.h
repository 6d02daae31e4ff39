// SentencePiece tokenizers read from a `tokenizer.model` / `spiece.model`, reimplemented after
// google/sentencepiece (normalizer.cc, sentencepiece_processor.cc) without linking it.
//
// This base class holds what every SentencePiece model type shares: the normalizer (an optional
// precompiled normalization table such as nmt_nfkc, user-defined pieces, and the whitespace
// flags), the piece tables, byte fallback and <unk> handling, Hugging Face LlamaTokenizer's
// (legacy=True) special-token handling, and decoding. A model type supplies only the
// segmentation of normalized text (SegmentNormalized): BPE in sentencepiece_bpe.h, unigram
// (Viterbi over piece scores; XLNet, T5, ALBERT) in sentencepiece_unigram.h.
//
// Not supported (load fails with Unimplemented, naming the file): denormalizers, WORD and CHAR
// models, and treat_whitespace_as_suffix.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/tokenizers/literal_token_splitter.h"
#include "common/tokenizers/precompiled_charsmap.h"
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
  int32_t unk_id() const final { return unk_id_; }
  std::string IdToPiece(int32_t id) const final;
  // SentencePiece's lookup order (control/unknown/byte pieces first), but -1 instead of unk_id
  // for a string that is no piece.
  int32_t PieceToId(std::string_view piece) const final;

  // The text the model segments: user-defined pieces are kept as they are, other text is
  // rewritten by the normalization table if the model has one (longest match first), spaces
  // become "▁" (escape_whitespaces), a "▁" goes in front (add_dummy_prefix), and with
  // remove_extra_whitespaces leading/trailing spaces are dropped and runs of spaces collapse to
  // one. Each byte that is not valid UTF-8 becomes U+FFFD.
  std::string Normalize(std::string_view text) const;

  // sp.encode(text, out_type=str) with each piece's id: the pieces of the segmentation, a run of
  // unknown pieces merged into one (its text is the normalized text it covers, its id unk_id()),
  // or with byte_fallback each unknown piece spelled as its UTF-8 byte pieces ("<0xE2>").
  std::vector<std::pair<std::string, int32_t>> EncodePieces(std::string_view text) const;

  const SentencePieceModel& model() const { return model_; }

 protected:
  // `model` has passed ParseSentencePieceModel, and its precompiled_charsmap (if any)
  // PrecompiledCharsMap::Parse; SentencePieceTokenizerFromBytes checks both.
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
  // Calls emit(piece, id, extends_previous) for each piece sp.encode outputs; extends_previous
  // marks an unknown piece that SentencePiece merges into the unknown piece before it.
  using OutputPieceFn = std::function<void(std::string_view, int32_t, bool)>;
  void ForEachOutputPiece(std::string_view text, const OutputPieceFn& emit) const;
  // normalizer.cc NormalizePrefix: the normalized text of the prefix of `input` that is
  // consumed next, and its length in bytes (> 0 for non-empty input).
  std::pair<std::string_view, size_t> NormalizePrefix(std::string_view input) const;
  bool StripsBosSpace() const { return model_.add_dummy_prefix || model_.remove_extra_whitespaces; }

  SentencePieceModel model_;
  std::optional<PrecompiledCharsMap> charsmap_;  // views into model_.precompiled_charsmap
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
