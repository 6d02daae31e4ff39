// The tokenizer interface the LLaMA-family generators and the encoder classifiers use, and
// LoadTokenizer, which opens the tokenizer files of a Hugging Face model folder. Implementations:
//   * SentencePiece BPE `tokenizer.model` (LLaMA 1/2, Alpaca, Mistral, llama2.c models):
//     sentencepiece_tokenizer.h, sentencepiece_bpe.h; SentencePiece unigram `spiece.model`
//     (sentencepiece_unigram.h), with XLNet's rules in xlnet_tokenizer.h;
//   * byte-level BPE `tokenizer.json` or GPT-2 style `vocab.json` + `merges.txt` (Llama 3, GPT-2,
//     RoBERTa): byte_level_bpe.h;
//   * WordPiece `vocab.txt` (BERT, DistilBERT): wordpiece.h.
// None depends on libsentencepiece, the Rust `tokenizers` library or libtorch.
//
// Thread safety: every method is const and safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Text -> ids.
  // add_special = false: what the plain model produces: SentencePiece's sp.encode(text) (literal
  //   "<s>" is ordinary text there), or a Hugging Face tokenizer's encode(text,
  //   add_special_tokens=False) (which still maps the text of added tokens such as
  //   "<|endoftext|>" to their ids, as both its slow and fast tokenizers do).
  // add_special = true: what the model family's Hugging Face tokenizer adds as well: LLaMA's BOS in
  //   front, with the literal text of <s>, </s>, <unk> split out as those ids (LlamaTokenizer,
  //   legacy=True); a tokenizer.json's post-processor template (Llama 3: <|begin_of_text|>);
  //   BERT: [CLS] ... [SEP]; RoBERTa: <s> ... </s>; XLNet: ... <sep> <cls>. (Pairs, truncation
  //   and padding for classifiers: classifier_inputs.h.)
  // Never fails: bytes that are not valid UTF-8 are tokenized too (SentencePiece reads each bad
  // byte as U+FFFD; byte-level BPE encodes the raw bytes).
  virtual std::vector<int32_t> Encode(std::string_view text, bool add_special) const = 0;

  // Ids -> text. skip_special drops control/special tokens (BOS, EOS, ...); without it they appear
  // as their literal text. Ids outside [0, vocab_size()) are skipped. The result is always valid
  // UTF-8 (invalid byte sequences become U+FFFD).
  virtual std::string Decode(const std::vector<int32_t>& ids, bool skip_special) const = 0;

  // Streaming: the text that `id` adds when it follows `previous` (-1 at the start), for printing
  // tokens as they are generated. Special tokens give "". It may return part of a UTF-8 sequence
  // (a byte-fallback or byte-level token holding one byte of a multi-byte character): buffer the
  // output until it forms complete characters. Concatenating DecodePiece over a sequence gives
  // Decode(ids, true) whenever the bytes form valid UTF-8. The default implementation decodes
  // [previous, id] and [previous] and returns the difference.
  virtual std::string DecodePiece(int32_t previous, int32_t id) const;

  virtual int32_t vocab_size() const = 0;
  // -1 when the tokenizer has none.
  virtual int32_t bos_id() const { return -1; }
  virtual int32_t eos_id() const { return -1; }
  virtual int32_t pad_id() const { return -1; }
  virtual int32_t unk_id() const { return -1; }
  // What encoder classifiers lay their inputs out with (classifier_inputs.h): BERT's [CLS] /
  // [SEP] / [MASK], RoBERTa's <s> / </s> / <mask>, XLNet's <cls> / <sep> / <mask>.
  virtual int32_t cls_id() const { return -1; }
  virtual int32_t sep_id() const { return -1; }
  virtual int32_t mask_id() const { return -1; }

  // The vocabulary string of `id` ("▁Hello", "ĠHello", "<0x0A>", "<s>"); "" when out of range.
  virtual std::string IdToPiece(int32_t id) const = 0;
  // The inverse of IdToPiece (exact string match); -1 when absent. Lets a caller resolve stop
  // tokens named in a config ("<|eot_id|>").
  virtual int32_t PieceToId(std::string_view piece) const = 0;
};

// Opens a tokenizer from a file or a model folder.
//   * a folder:
//       - `tokenizer.model` if present (LLaMA 1/2 folders ship both it and a tokenizer.json
//         converted from it; the .model is the original, and what LlamaTokenizer reads), unless
//         the folder is XLNet's;
//       - an encoder-classifier folder, recognized by config.json's model_type or
//         tokenizer_config.json's tokenizer_class (hf_tokenizer_config.h): BERT / DistilBERT
//         -> `vocab.txt` (WordPiece, wordpiece.h); RoBERTa -> `vocab.json` + `merges.txt` with
//         RoBERTa's special tokens, else its `tokenizer.json`; XLNet -> `spiece.model` with
//         XLNetTokenizer's rules (xlnet_tokenizer.h);
//       - otherwise the first of `tokenizer.json` (giving way to the files below when it is a
//         kind we cannot read, e.g. WordPiece), `vocab.json` + `merges.txt` (GPT-2),
//         `spiece.model` (plain SentencePiece), `vocab.txt` (WordPiece with BertTokenizer's
//         defaults);
//   * `*.model`: SentencePiece (XLNet's rules when the configs next to it say XLNet);
//     `vocab.json` (or `*vocab.json`): GPT-2 style (RoBERTa's special tokens when the configs say
//     RoBERTa), with `merges.txt` (or the same name with "vocab.json" replaced by "merges.txt")
//     next to it; any other `.json`: a Hugging Face tokenizer.json; `*.txt`: a WordPiece vocab.
// tokenizer_config.json next to the file sets the options its tokenizer class takes
// (do_lower_case, strip_accents, tokenize_chinese_chars, remove_space, keep_accents,
// clean_up_tokenization_spaces) and the special tokens by name.
// Errors name the file: NotFound (missing), DataLoss (truncated/garbage), InvalidArgument
// (well-formed but inconsistent), Unimplemented (a model or component we do not support, such
// as a WordPiece tokenizer.json without its vocab.txt).
StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path);

}  // namespace augsweep
