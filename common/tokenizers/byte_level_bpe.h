// Byte-level BPE (GPT-2, RoBERTa's merges, Llama 3): text is split into pre-tokens by a regex,
// each pre-token's UTF-8 bytes are spelled in GPT-2's 256-character byte alphabet ("Ġ" = space),
// and BPE merges adjacent symbols by merge rank. Loads either a Hugging Face `tokenizer.json`
// (tokenizer_json.h) or GPT-2's `vocab.json` + `merges.txt`, which behaves like transformers'
// slow GPT2Tokenizer.
//
// Supported tokenizer.json pieces (what GPT-2 and Llama 3 files use): model BPE (vocab, merges
// as "a b" strings or [a, b] pairs, ignore_merges, unk_token); no normalizer; pre_tokenizer
// ByteLevel, or Split(regex or string, behavior Isolated) steps followed by ByteLevel, possibly in
// a Sequence; added_tokens (special, lstrip, rstrip, single_word); decoder ByteLevel;
// post_processor ByteLevel, TemplateProcessing (single-sequence template), RobertaProcessing,
// BertProcessing, or a Sequence of them. Anything else (normalizers, other pre-tokenizers and
// decoders, BPE dropout, continuing_subword_prefix, end_of_word_suffix, byte_fallback) gives
// Unimplemented naming the piece. fuse_unk is ignored: byte-level vocabularies hold all 256 bytes,
// so <unk> does not occur.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "common/tokenizers/literal_token_splitter.h"
#include "common/tokenizers/pretokenizer_regex.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep {

// Which slow Hugging Face tokenizer a vocab.json + merges.txt pair stands for. They differ only in
// their special tokens.
enum class SlowBpeFamily {
  // GPT2Tokenizer: "<|endoftext|>" (when in the vocab) is bos, eos and unk; nothing is added.
  kGpt2,
  // RobertaTokenizer: <s> (bos, cls), </s> (eos, sep), <unk>, <pad>, <mask> (which swallows the
  // whitespace on its left) are split out of the text; add_special gives <s> ... </s>.
  kRoberta,
};

struct ByteLevelBpeOptions {
  SlowBpeFamily family = SlowBpeFamily::kGpt2;  // vocab.json + merges.txt only
  // vocab.json + merges.txt: GPT2Tokenizer(add_prefix_space=...): a space is put in front of the
  //   whole text (always, as the slow tokenizer does), default false.
  // tokenizer.json: overrides every ByteLevel pre-tokenizer's add_prefix_space (a space in front
  //   of each piece that does not start with one, as the Rust tokenizer does).
  std::optional<bool> add_prefix_space;
  // transformers' clean_up_tokenization_spaces on Decode (" ." -> ".", " 's" -> "'s", ...). Off by
  // default: it is lossy, and generated text should come back exactly.
  bool clean_up_tokenization_spaces = false;
  // Override the special tokens by their text (e.g. from tokenizer_config.json); empty keeps the
  // default.
  std::string bos_token;
  std::string eos_token;
  std::string pad_token;
  std::string unk_token;
  std::string cls_token;
  std::string sep_token;
  std::string mask_token;
};

// One step of a pre-tokenizer ("pre_tokenizer" in tokenizer.json).
struct PreTokenizerStep {
  enum class Kind { kSplit, kByteLevel };
  Kind kind = Kind::kByteLevel;
  std::string regex;              // kSplit: the pattern, Oniguruma syntax
  bool add_prefix_space = false;  // kByteLevel
  bool use_regex = true;          // kByteLevel: also split with GPT-2's pattern
};

// Everything a byte-level BPE tokenizer is made of, as the loaders read it.
struct ByteLevelBpeModel {
  struct AddedToken {
    std::string content;
    int32_t id = -1;
    bool special = false;  // skipped by Decode(..., skip_special=true)
    bool lstrip = false;
    bool rstrip = false;
    bool single_word = false;
  };

  std::vector<std::pair<std::string, int32_t>> vocab;       // byte-alphabet token -> id
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  bool ignore_merges = false;  // a pre-token that is itself in the vocab is not merged (Llama 3)
  int32_t unk_id = -1;         // for bytes missing from the vocab; -1 drops them
  std::vector<PreTokenizerStep> pre_tokenizer;
  // Read from vocab.json + merges.txt: behave like transformers' slow GPT2Tokenizer.
  bool slow_gpt2 = false;
  bool prefix_space_whole_text = false;  // slow GPT2Tokenizer(add_prefix_space=True)
  std::vector<AddedToken> added_tokens;
  std::vector<int32_t> prefix_ids;  // added by Encode(..., add_special=true)
  std::vector<int32_t> suffix_ids;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t pad_id = -1;
  int32_t cls_id = -1;
  int32_t sep_id = -1;
  int32_t mask_id = -1;
  bool clean_up_tokenization_spaces = false;
  std::string source;  // file name(s), for error messages
};

class ByteLevelBpeTokenizer final : public Tokenizer {
 public:
  // Validates `model` (every merge's parts and result are in the vocab, ids are distinct and
  // non-negative) and compiles its regexes.
  static StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> Create(ByteLevelBpeModel model);

  // add_special adds the post-processor's tokens (Llama 3: <|begin_of_text|>; GPT-2: none). The
  // text of added tokens becomes their ids either way, as in both Hugging Face tokenizers.
  std::vector<int32_t> Encode(std::string_view text, bool add_special) const override;
  // Joins the tokens' bytes and repairs invalid UTF-8 as Hugging Face does (each maximal
  // ill-formed subsequence -> U+FFFD). Added tokens contribute their text.
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special) const override;
  // The token's raw bytes ("" for special tokens); may be part of a UTF-8 sequence.
  std::string DecodePiece(int32_t previous, int32_t id) const override;

  int32_t vocab_size() const override { return static_cast<int32_t>(id_to_token_.size()); }
  int32_t bos_id() const override { return bos_id_; }
  int32_t eos_id() const override { return eos_id_; }
  int32_t pad_id() const override { return pad_id_; }
  int32_t unk_id() const override { return unk_id_; }
  int32_t cls_id() const override { return cls_id_; }
  int32_t sep_id() const override { return sep_id_; }
  int32_t mask_id() const override { return mask_id_; }
  std::string IdToPiece(int32_t id) const override;
  int32_t PieceToId(std::string_view piece) const override;

 private:
  ByteLevelBpeTokenizer() = default;
  void EncodePlain(std::string_view text, std::vector<int32_t>* ids) const;
  void EncodeWord(std::string_view word, std::vector<int32_t>* ids) const;
  void MergeWord(std::string_view word, std::vector<int32_t>* ids) const;

  struct Step {
    PreTokenizerStep config;
    std::optional<RegexSplitter> splitter;
  };

  std::vector<std::string> id_to_token_;  // "" for unused ids
  std::vector<std::string> id_to_bytes_;  // what each id decodes to
  std::vector<uint8_t> is_special_;       // skipped when decoding with skip_special
  std::unordered_map<std::string, int32_t> token_to_id_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (left, right) -> (rank, id)
  int32_t byte_ids_[256];
  int32_t unk_id_ = -1;
  bool ignore_merges_ = false;
  std::vector<Step> steps_;
  bool prefix_space_whole_text_ = false;
  LiteralTokenSplitter added_splitter_;
  std::vector<int32_t> prefix_ids_;
  std::vector<int32_t> suffix_ids_;
  int32_t bos_id_ = -1;
  int32_t eos_id_ = -1;
  int32_t pad_id_ = -1;
  int32_t cls_id_ = -1;
  int32_t sep_id_ = -1;
  int32_t mask_id_ = -1;
  bool clean_up_ = false;

  // Pre-token -> ids. Bounded; entries are only added, so a hit never goes stale.
  mutable Mutex cache_mu_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_
      AUGSWEEP_GUARDED_BY(cache_mu_);
};

// GPT-2 style files. `vocab_json` maps byte-alphabet tokens to ids; `merges_txt` has one "a b"
// merge per line, an optional "#version" first line. options.family picks the special tokens
// (GPT-2's or RoBERTa's, see SlowBpeFamily). `source` names the files in errors.
StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeFromVocabAndMerges(
    std::string_view vocab_json, std::string_view merges_txt, const std::string& source,
    const ByteLevelBpeOptions& options = {});
StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> LoadByteLevelBpeFromVocabAndMerges(
    const std::string& vocab_path, const std::string& merges_path,
    const ByteLevelBpeOptions& options = {});

// Applies the special-token, add_prefix_space and clean-up options to a model a loader has read.
Status ApplyByteLevelBpeOptions(const ByteLevelBpeOptions& options, ByteLevelBpeModel* model);

}  // namespace augsweep
