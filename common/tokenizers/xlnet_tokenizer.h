// XLNet's tokenizer: a SentencePiece unigram model (spiece.model) wrapped in what transformers'
// slow XLNetTokenizer (4.36) does around it:
//   * the literal text of the special tokens (<s> </s> <unk> <sep> <pad> <cls> <mask> <eop>
//     <eod>) becomes their ids; <mask> also swallows the whitespace on its left;
//   * each other part is preprocessed: remove_space (strip, and runs of whitespace -> one space,
//     Python's str.split() whitespace), `` and '' -> ", keep_accents=false: NFKD and drop every
//     character with a non-zero combining class, do_lower_case: lower-case;
//   * SentencePiece encodes it (nmt_nfkc normalization, dummy prefix, Viterbi);
//   * a piece longer than one character that ends in "," after a digit ("▁1,", "00,") is encoded
//     again without the comma and the "," appended as its own piece; when the original piece did
//     not start with "▁" the re-encoding's dummy-prefix "▁" is removed again;
//   * add_special appends <sep> <cls> (XLNet puts its special tokens at the END).
// Decoding follows XLNetTokenizer.decode: special tokens are written as they are with no spaces
// around them, runs of other pieces are joined with "▁" as space and stripped, then
// clean_up_tokenization_spaces.
//
// Thread safety: immutable after Create; every method is const and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tokenizers/literal_token_splitter.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep {

// XLNetTokenizer's constructor arguments (tokenizer_config.json keys); defaults are its own.
struct XlnetOptions {
  bool do_lower_case = false;
  bool remove_space = true;
  bool keep_accents = false;
  std::string bos_token = "<s>";
  std::string eos_token = "</s>";
  std::string unk_token = "<unk>";
  std::string sep_token = "<sep>";
  std::string pad_token = "<pad>";
  std::string cls_token = "<cls>";
  std::string mask_token = "<mask>";
  std::vector<std::string> additional_special_tokens = {"<eop>", "<eod>"};
  bool clean_up_tokenization_spaces = true;
};

class XlnetTokenizer final : public Tokenizer {
 public:
  // Special tokens the model lacks are left out (their id reads -1). `source` names the file in
  // errors.
  static StatusOr<std::unique_ptr<XlnetTokenizer>> Create(
      std::unique_ptr<SentencePieceTokenizer> model, const XlnetOptions& options,
      const std::string& source);

  // tok.tokenize(text): the piece strings ("▁Hello", ",", "<sep>").
  std::vector<std::string> Tokenize(std::string_view text) const;
  // XLNetTokenizer.preprocess_text.
  std::string Preprocess(std::string_view text) const;

  // add_special = false: tok.encode(text, add_special_tokens=False); true: ... <sep> <cls>.
  std::vector<int32_t> Encode(std::string_view text, bool add_special) const override;
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special) const override;

  int32_t vocab_size() const override { return model_->vocab_size(); }
  int32_t bos_id() const override { return bos_id_; }
  int32_t eos_id() const override { return eos_id_; }
  int32_t pad_id() const override { return pad_id_; }
  int32_t unk_id() const override { return model_->unk_id(); }
  int32_t cls_id() const override { return cls_id_; }
  int32_t sep_id() const override { return sep_id_; }
  int32_t mask_id() const override { return mask_id_; }
  std::string IdToPiece(int32_t id) const override { return model_->IdToPiece(id); }
  int32_t PieceToId(std::string_view piece) const override { return model_->PieceToId(piece); }

 private:
  XlnetTokenizer() = default;
  void TokenizePlain(std::string_view text, std::vector<std::string>* pieces) const;
  int32_t IdOfPiece(std::string_view piece) const;  // sp.PieceToId: unknown text -> unk

  std::unique_ptr<SentencePieceTokenizer> model_;
  XlnetOptions options_;
  std::vector<std::string> special_tokens_;  // all_special_tokens order
  std::vector<uint8_t> is_special_;          // by id
  LiteralTokenSplitter special_splitter_;
  int32_t bos_id_ = -1;
  int32_t eos_id_ = -1;
  int32_t pad_id_ = -1;
  int32_t cls_id_ = -1;
  int32_t sep_id_ = -1;
  int32_t mask_id_ = -1;
};

// Reads an spiece.model (any SentencePiece model type; XLNet's is UNIGRAM).
StatusOr<std::unique_ptr<XlnetTokenizer>> LoadXlnetTokenizer(const std::string& spiece_path,
                                                             const XlnetOptions& options = {});

}  // namespace augsweep
