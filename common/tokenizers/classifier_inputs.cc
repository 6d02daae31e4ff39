#include "common/tokenizers/classifier_inputs.h"

#include <algorithm>

namespace augsweep {
namespace {

using Ids = std::vector<int32_t>;

bool HasTokenTypes(EncoderFamily family) {
  return family == EncoderFamily::kBert || family == EncoderFamily::kXlnet;
}

// Every layout adds two special tokens to a text.
constexpr int kNumSpecialTokens = 2;

// build_inputs_with_special_tokens and create_token_type_ids_from_sequences for one text.
ClassifierInput Build(EncoderFamily family, const ClassifierSpecialIds& s, const Ids& text) {
  ClassifierInput row;
  switch (family) {
    case EncoderFamily::kBert:
    case EncoderFamily::kDistilBert:
    case EncoderFamily::kRoberta:
      row.ids.push_back(s.cls);
      row.ids.insert(row.ids.end(), text.begin(), text.end());
      row.ids.push_back(s.sep);
      break;
    case EncoderFamily::kXlnet:
      row.ids.insert(row.ids.end(), text.begin(), text.end());
      row.ids.push_back(s.sep);
      row.ids.push_back(s.cls);
      break;
  }
  if (HasTokenTypes(family)) {
    row.token_type_ids.assign(row.ids.size(), 0);
    if (family == EncoderFamily::kXlnet) row.token_type_ids.back() = 2;  // <cls>
  }
  return row;
}

}  // namespace

StatusOr<ClassifierSpecialIds> ClassifierSpecialIdsOf(const Tokenizer& tokenizer,
                                                      EncoderFamily family) {
  ClassifierSpecialIds ids{tokenizer.cls_id(), tokenizer.sep_id(), tokenizer.pad_id()};
  const char* missing = ids.cls < 0 ? "cls" : ids.sep < 0 ? "sep" : ids.pad < 0 ? "pad" : nullptr;
  if (missing != nullptr) {
    return FailedPreconditionError("the tokenizer has no " + std::string(missing) +
                                   " token, which the " + std::string(EncoderFamilyName(family)) +
                                   " input layout needs");
  }
  return ids;
}

std::vector<int64_t> ClassifierBatch::Row(const std::vector<int64_t>& array, int64_t row) const {
  if (array.empty() || row < 0 || row >= batch_size) return {};
  return std::vector<int64_t>(array.begin() + row * seq_len, array.begin() + (row + 1) * seq_len);
}

StatusOr<ClassifierInput> LayOutClassifierInput(EncoderFamily family,
                                                const ClassifierSpecialIds& special, Ids tokens,
                                                int max_length) {
  if (max_length > 0 && max_length <= kNumSpecialTokens) {
    return InvalidArgumentError("max_length " + std::to_string(max_length) +
                                " leaves no room for text next to the " +
                                std::to_string(kNumSpecialTokens) + " special tokens of a " +
                                std::string(EncoderFamilyName(family)) + " input");
  }
  // The text loses tokens from its end (PreTrainedTokenizerBase.truncate_sequences).
  if (max_length > 0 && tokens.size() + kNumSpecialTokens > static_cast<size_t>(max_length)) {
    tokens.resize(static_cast<size_t>(max_length - kNumSpecialTokens));
  }
  return Build(family, special, tokens);
}

StatusOr<ClassifierInput> EncodeClassifierInput(const Tokenizer& tokenizer, EncoderFamily family,
                                                std::string_view text, int max_length) {
  AUGSWEEP_ASSIGN_OR_RETURN(ClassifierSpecialIds special,
                            ClassifierSpecialIdsOf(tokenizer, family));
  return LayOutClassifierInput(family, special, tokenizer.Encode(text, false), max_length);
}

StatusOr<ClassifierBatch> LayOutClassifierBatch(EncoderFamily family,
                                                const ClassifierSpecialIds& special,
                                                const std::vector<Ids>& texts,
                                                const ClassifierInputOptions& options) {
  if (texts.empty()) return InvalidArgumentError("a classifier batch needs at least one text");
  std::vector<ClassifierInput> rows;
  rows.reserve(texts.size());
  size_t longest = 0;
  for (const Ids& text : texts) {
    AUGSWEEP_ASSIGN_OR_RETURN(ClassifierInput row,
                              LayOutClassifierInput(family, special, text, options.max_length));
    longest = std::max(longest, row.ids.size());
    rows.push_back(std::move(row));
  }
  if (options.pad_to_max_length && options.max_length > 0) {
    longest = static_cast<size_t>(options.max_length);
  }

  ClassifierBatch batch;
  batch.batch_size = static_cast<int64_t>(rows.size());
  batch.seq_len = static_cast<int64_t>(longest);
  const bool types = HasTokenTypes(family);
  // XLNetTokenizer has padding_side "left" and pad_token_type_id 3.
  const bool pad_left = family == EncoderFamily::kXlnet;
  const int64_t pad_type = family == EncoderFamily::kXlnet ? 3 : 0;
  batch.input_ids.reserve(rows.size() * longest);
  batch.attention_mask.reserve(rows.size() * longest);
  if (types) batch.token_type_ids.reserve(rows.size() * longest);
  for (const ClassifierInput& row : rows) {
    const size_t padding = longest - row.ids.size();
    auto pad = [&] {
      batch.input_ids.insert(batch.input_ids.end(), padding, special.pad);
      batch.attention_mask.insert(batch.attention_mask.end(), padding, 0);
      if (types) batch.token_type_ids.insert(batch.token_type_ids.end(), padding, pad_type);
    };
    if (pad_left) pad();
    batch.input_ids.insert(batch.input_ids.end(), row.ids.begin(), row.ids.end());
    batch.attention_mask.insert(batch.attention_mask.end(), row.ids.size(), 1);
    batch.token_type_ids.insert(batch.token_type_ids.end(), row.token_type_ids.begin(),
                                row.token_type_ids.end());
    if (!pad_left) pad();
  }
  return batch;
}

StatusOr<ClassifierBatch> EncodeClassifierBatch(const Tokenizer& tokenizer, EncoderFamily family,
                                                const std::vector<std::string>& texts,
                                                const ClassifierInputOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(ClassifierSpecialIds special,
                            ClassifierSpecialIdsOf(tokenizer, family));
  std::vector<Ids> ids;
  ids.reserve(texts.size());
  for (const std::string& text : texts) ids.push_back(tokenizer.Encode(text, false));
  return LayOutClassifierBatch(family, special, ids, options);
}

}  // namespace augsweep
