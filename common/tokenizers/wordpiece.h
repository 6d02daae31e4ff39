// WordPiece, BERT's and DistilBERT's tokenizer (`vocab.txt`, one token per line, id = line
// number), behaving like transformers' slow BertTokenizer (4.36):
//   * with do_lower_case, the text is lower-cased one character at a time first, except where it
//     spells a special token (PreTrainedTokenizer.tokenize does this; it is why "[CLS]" survives
//     and why a final "Σ" becomes "σ", never "ς");
//   * the literal text of the special tokens ([UNK] [SEP] [PAD] [CLS] [MASK]) becomes their ids;
//   * the rest goes through the basic tokenizer (bert_basic_tokenizer.h), then each word is split
//     greedily into the longest vocabulary entries, continuation pieces spelled "##piece"; a word
//     longer than max_input_chars_per_word code points, or one with a part no entry matches,
//     becomes [UNK] as a whole.
// Decoding joins the tokens with spaces, glues "##" pieces to the previous token and applies
// clean_up_tokenization_spaces (" ." -> ".", " n't" -> "n't", ...), as BertTokenizer.decode.
//
// Thread safety: immutable after Create; every method is const and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/tokenizers/bert_basic_tokenizer.h"
#include "common/tokenizers/literal_token_splitter.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep {

// BertTokenizer's constructor arguments (tokenizer_config.json keys of the same names). The
// defaults are BertTokenizer's.
struct WordPieceOptions {
  bool do_lower_case = true;
  bool tokenize_chinese_chars = true;
  std::optional<bool> strip_accents;  // nullopt: strip when lower-casing
  std::string unk_token = "[UNK]";
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string cls_token = "[CLS]";
  std::string mask_token = "[MASK]";
  int max_input_chars_per_word = 100;
  bool clean_up_tokenization_spaces = true;
};

class WordPieceTokenizer final : public Tokenizer {
 public:
  // Parses `vocab_txt` (lines split at \n, \r\n or \r, as Python's text mode reads them; a
  // repeated token keeps its last line's id, as load_vocab does). The unk token must be in the
  // vocabulary; a missing cls/sep/pad/mask token just reports id -1. `source` names the file in
  // errors.
  static StatusOr<std::unique_ptr<WordPieceTokenizer>> Create(std::string_view vocab_txt,
                                                              const std::string& source,
                                                              const WordPieceOptions& options);

  // tok.tokenize(text): the token strings ("hello", "##s", "[UNK]", "[CLS]").
  std::vector<std::string> Tokenize(std::string_view text) const;

  // add_special = false: tok.encode(text, add_special_tokens=False); true: [CLS] ... [SEP].
  std::vector<int32_t> Encode(std::string_view text, bool add_special) const override;
  // tok.decode(ids, skip_special_tokens=skip_special) with clean-up (see the file comment).
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special) const override;

  int32_t vocab_size() const override { return static_cast<int32_t>(id_to_token_.size()); }
  int32_t pad_id() const override { return pad_id_; }
  int32_t unk_id() const override { return unk_id_; }
  int32_t cls_id() const override { return cls_id_; }
  int32_t sep_id() const override { return sep_id_; }
  int32_t mask_id() const override { return mask_id_; }
  std::string IdToPiece(int32_t id) const override;
  int32_t PieceToId(std::string_view piece) const override;

 private:
  WordPieceTokenizer() = default;
  void TokenizePlain(std::string_view text, std::vector<std::string>* tokens) const;
  void SplitWord(const std::u32string& word, std::vector<std::string>* tokens) const;
  int32_t TokenId(const std::string& token) const;

  WordPieceOptions options_;
  BertBasicTokenizerOptions basic_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<std::string, int32_t> token_to_id_;
  size_t max_token_bytes_ = 0;               // no longer piece can match
  std::vector<std::string> special_tokens_;  // in all_special_tokens order: unk sep pad cls mask
  std::vector<uint8_t> is_special_;          // by id
  LiteralTokenSplitter special_splitter_;
  int32_t unk_id_ = -1;
  int32_t sep_id_ = -1;
  int32_t pad_id_ = -1;
  int32_t cls_id_ = -1;
  int32_t mask_id_ = -1;
};

// Reads a vocab.txt file.
StatusOr<std::unique_ptr<WordPieceTokenizer>> LoadWordPieceTokenizer(
    const std::string& vocab_path, const WordPieceOptions& options = {});

}  // namespace augsweep
