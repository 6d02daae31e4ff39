// What a Hugging Face model folder says about its tokenizer: config.json's model_type and the
// constructor arguments saved in tokenizer_config.json (save_pretrained writes both). LoadTokenizer
// uses it to pick the tokenizer of an encoder-classifier folder and to set its options.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace augsweep {

// The tokenizer families LoadTokenizer tells apart in a model folder.
enum class TokenizerFamily {
  kUnknown,    // no config says (LLaMA-family folders: decided by the files present)
  kWordPiece,  // BERT, DistilBERT: vocab.txt
  kRoberta,    // RoBERTa: vocab.json + merges.txt with <s> </s> <pad> <unk> <mask>
  kXlnet,      // XLNet: spiece.model with XLNetTokenizer's rules
};

struct HfTokenizerConfig {
  std::string model_type;       // config.json "model_type"; "" when absent
  std::string tokenizer_class;  // tokenizer_config.json "tokenizer_class"; "" when absent
  // tokenizer_config.json booleans, when present (a JSON null reads as absent).
  std::optional<bool> do_lower_case;
  std::optional<bool> tokenize_chinese_chars;
  std::optional<bool> strip_accents;
  std::optional<bool> remove_space;
  std::optional<bool> keep_accents;
  std::optional<bool> clean_up_tokenization_spaces;
  // "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"
  // -> their text (a string, or an AddedToken object's "content").
  std::map<std::string, std::string> special_tokens;
  std::optional<std::vector<std::string>> additional_special_tokens;

  // model_type first ("bert", "distilbert", "roberta", "xlnet"), else tokenizer_class
  // ("BertTokenizer", "DistilBertTokenizerFast", "RobertaTokenizer", "XLNetTokenizer", ...).
  TokenizerFamily family() const;
  // The special token named `key`, or `fallback` when the config does not name one.
  std::string SpecialToken(const std::string& key, const std::string& fallback) const;
};

// Reads `folder`/config.json and `folder`/tokenizer_config.json; a missing file leaves its
// fields empty. Errors name the file: DataLoss for invalid JSON, InvalidArgument for a JSON value
// that is not an object.
StatusOr<HfTokenizerConfig> ReadHfTokenizerConfig(const std::string& folder);

// `folder`/special_tokens_map.json's tokens by name (strings or AddedToken objects; other
// entries, such as additional_special_tokens, left out); empty when the file does not exist.
// Errors as ReadHfTokenizerConfig's.
StatusOr<std::map<std::string, std::string>> ReadSpecialTokensMap(const std::string& folder);

}  // namespace augsweep
