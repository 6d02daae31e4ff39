// The input batch of an encoder classifier, laid out as each model family's slow Hugging Face
// tokenizer lays out single texts (tok(texts, padding="longest", truncation=True, max_length=...)):
//
//   family       row              token types              padding
//   bert         [CLS] A [SEP]    0 ... 0                  right, [PAD]
//   distilbert   [CLS] A [SEP]    none                     right, [PAD]
//   roberta      <s> A </s>       none                     right, <pad>
//   xlnet        A <sep> <cls>    0 ... 0, 2 on <cls>      LEFT, <pad>
//
// BERT's type on padding is 0, XLNet's 3 (its pad_token_type_id). The attention mask is 1 on
// tokens and 0 on padding. Rows are padded to the longest row of the batch ("dynamic padding"),
// or to max_length with pad_to_max_length. augsweep classifies one text per example; sentence
// pairs (A [SEP] B) are not laid out.
//
// Truncation (HF truncation=True, truncation_side "right"): a row that would be longer than
// max_length loses tokens from the end of its text. The special tokens are always kept.
//
// Two levels: ClassifierInput is one example with its special tokens, not padded (for a caller
// that pads and sorts batches itself); ClassifierBatch is a padded batch. Torch-free: a batch's
// arrays are plain int64 vectors, row-major [batch_size][seq_len], ready for torch::from_blob
// (kLong). Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/encoder_family.h"
#include "common/status.h"
#include "common/tokenizers/tokenizer.h"

namespace augsweep {

// The ids the layout uses: BERT [CLS]=101 [SEP]=102 [PAD]=0; RoBERTa <s>=0 </s>=2 <pad>=1;
// XLNet <cls>=3 <sep>=4 <pad>=5 (for the usual vocabularies).
struct ClassifierSpecialIds {
  int32_t cls = -1;
  int32_t sep = -1;
  int32_t pad = -1;
};

// Reads them from the tokenizer (cls_id(), sep_id(), pad_id()); FailedPrecondition naming the
// family and the missing token when the tokenizer lacks one.
StatusOr<ClassifierSpecialIds> ClassifierSpecialIdsOf(const Tokenizer& tokenizer,
                                                      EncoderFamily family);

struct ClassifierInputOptions {
  // The longest row, special tokens included. Must exceed the 2 special tokens the layout adds;
  // 0 or less: no truncation.
  int max_length = 512;
  // Pad every row to max_length (HF padding="max_length") instead of to the longest row.
  bool pad_to_max_length = false;
};

// One example before padding: what the executor keeps per text when it pads and sorts batches
// itself.
struct ClassifierInput {
  std::vector<int32_t> ids;  // with the family's special tokens, truncated to max_length
  // One per id for bert (0/1) and xlnet (0/1, 2 on <cls>); EMPTY for roberta and distilbert.
  std::vector<int32_t> token_type_ids;
};

// Lays out one example from tokens without special tokens. InvalidArgument when max_length
// leaves no room for text (see ClassifierInputOptions).
StatusOr<ClassifierInput> LayOutClassifierInput(EncoderFamily family,
                                                const ClassifierSpecialIds& special,
                                                std::vector<int32_t> tokens, int max_length);

// Tokenizes and lays out one text; max_length <= 0: no truncation.
StatusOr<ClassifierInput> EncodeClassifierInput(const Tokenizer& tokenizer, EncoderFamily family,
                                                std::string_view text, int max_length);

struct ClassifierBatch {
  int64_t batch_size = 0;
  int64_t seq_len = 0;
  std::vector<int64_t> input_ids;       // [batch_size * seq_len]
  std::vector<int64_t> attention_mask;  // [batch_size * seq_len]
  // [batch_size * seq_len] for bert and xlnet; EMPTY for roberta and distilbert, whose
  // tokenizers return none and whose models take none.
  std::vector<int64_t> token_type_ids;

  // Row `row` of one of the arrays above, for tests and logs.
  std::vector<int64_t> Row(const std::vector<int64_t>& array, int64_t row) const;
};

// Lays out texts that are already tokens without special tokens (Tokenizer::Encode(text,
// false)), so a caller can tokenize a data set once and batch it many times. InvalidArgument for
// an empty batch or a max_length too small for the special tokens.
StatusOr<ClassifierBatch> LayOutClassifierBatch(EncoderFamily family,
                                                const ClassifierSpecialIds& special,
                                                const std::vector<std::vector<int32_t>>& texts,
                                                const ClassifierInputOptions& options);

// Tokenizes and lays out single texts.
StatusOr<ClassifierBatch> EncodeClassifierBatch(const Tokenizer& tokenizer, EncoderFamily family,
                                                const std::vector<std::string>& texts,
                                                const ClassifierInputOptions& options);

}  // namespace augsweep
