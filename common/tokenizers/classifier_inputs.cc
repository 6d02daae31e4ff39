#include "common/tokenizers/classifier_inputs.h"

#include <algorithm>

namespace augsweep {
namespace {

using Ids = std::vector<int32_t>;

bool HasTokenTypes(EncoderFamily family) {
  return family == EncoderFamily::kBert || family == EncoderFamily::kXlnet;
}

int NumSpecialTokens(EncoderFamily family, bool pair) {
  if (!pair) return 2;
  return family == EncoderFamily::kRoberta ? 4 : 3;
}

// PreTrainedTokenizerBase.truncate_sequences: the text loses tokens from its end; a pair,
// "longest_first", takes them from the longer text first, then from both, the second text
// taking the odd one.
void Truncate(size_t to_remove, Ids* a, Ids* b) {
  if (to_remove == 0) return;
  if (b == nullptr) {
    a->resize(a->size() - std::min(to_remove, a->size()));
    return;
  }
  const size_t la = a->size(), lb = b->size();
  const size_t first = std::min(la > lb ? la - lb : lb - la, to_remove);
  const size_t second = to_remove - first;
  size_t from_a, from_b;
  if (la > lb) {
    from_a = first + second / 2;
    from_b = second - second / 2;
  } else {
    from_a = second / 2;
    from_b = first + second - second / 2;
  }
  a->resize(la - std::min(from_a, la));
  b->resize(lb - std::min(from_b, lb));
}

// build_inputs_with_special_tokens and create_token_type_ids_from_sequences.
ClassifierInput Build(EncoderFamily family, const ClassifierSpecialIds& s, const Ids& a,
                      const Ids* b) {
  ClassifierInput row;
  auto add = [&](const Ids& ids, int32_t type) {
    row.ids.insert(row.ids.end(), ids.begin(), ids.end());
    row.token_type_ids.insert(row.token_type_ids.end(), ids.size(), type);
  };
  switch (family) {
    case EncoderFamily::kBert:
    case EncoderFamily::kDistilBert:
      add({s.cls}, 0);
      add(a, 0);
      add({s.sep}, 0);
      if (b != nullptr) {
        add(*b, 1);
        add({s.sep}, 1);
      }
      break;
    case EncoderFamily::kRoberta:
      add({s.cls}, 0);
      add(a, 0);
      add({s.sep}, 0);
      if (b != nullptr) {
        add({s.sep}, 0);
        add(*b, 0);
        add({s.sep}, 0);
      }
      break;
    case EncoderFamily::kXlnet:
      add(a, 0);
      add({s.sep}, 0);
      if (b != nullptr) {
        add(*b, 1);
        add({s.sep}, 1);
      }
      add({s.cls}, 2);
      break;
  }
  if (!HasTokenTypes(family)) row.token_type_ids.clear();
  return row;
}

}  // namespace

StatusOr<ClassifierSpecialIds> ClassifierSpecialIdsOf(const Tokenizer& tokenizer,
                                                      EncoderFamily family) {
  ClassifierSpecialIds ids{tokenizer.cls_id(), tokenizer.sep_id(), tokenizer.pad_id()};
  const char* missing = ids.cls < 0 ? "cls" : ids.sep < 0 ? "sep" : ids.pad < 0 ? "pad" : nullptr;
  if (missing != nullptr) {
    return FailedPreconditionError(
        "the tokenizer has no " + std::string(missing) + " token, which the " +
        std::string(EncoderFamilyName(family)) + " input layout needs");
  }
  return ids;
}

std::vector<int64_t> ClassifierBatch::Row(const std::vector<int64_t>& array, int64_t row) const {
  if (array.empty() || row < 0 || row >= batch_size) return {};
  return std::vector<int64_t>(array.begin() + row * seq_len, array.begin() + (row + 1) * seq_len);
}

StatusOr<ClassifierInput> LayOutClassifierInput(EncoderFamily family,
                                                const ClassifierSpecialIds& special, Ids first,
                                                const Ids* second, int max_length) {
  const int num_special = NumSpecialTokens(family, second != nullptr);
  if (max_length > 0 && max_length <= num_special) {
    return InvalidArgumentError("max_length " + std::to_string(max_length) +
                                " leaves no room for text next to the " +
                                std::to_string(num_special) + " special tokens of a " +
                                std::string(EncoderFamilyName(family)) + " input");
  }
  Ids b = second != nullptr ? *second : Ids();
  const size_t total = first.size() + b.size() + num_special;
  if (max_length > 0 && total > static_cast<size_t>(max_length)) {
    Truncate(total - max_length, &first, second != nullptr ? &b : nullptr);
  }
  return Build(family, special, first, second != nullptr ? &b : nullptr);
}

StatusOr<ClassifierInput> EncodeClassifierInput(const Tokenizer& tokenizer, EncoderFamily family,
                                                std::string_view text, int max_length) {
  AUGSWEEP_ASSIGN_OR_RETURN(ClassifierSpecialIds special,
                            ClassifierSpecialIdsOf(tokenizer, family));
  return LayOutClassifierInput(family, special, tokenizer.Encode(text, false), nullptr, max_length);
}

StatusOr<ClassifierInput> EncodeClassifierPairInput(const Tokenizer& tokenizer,
                                                    EncoderFamily family, std::string_view first,
                                                    std::string_view second, int max_length) {
  AUGSWEEP_ASSIGN_OR_RETURN(ClassifierSpecialIds special,
                            ClassifierSpecialIdsOf(tokenizer, family));
  const Ids b = tokenizer.Encode(second, false);
  return LayOutClassifierInput(family, special, tokenizer.Encode(first, false), &b, max_length);
}

StatusOr<ClassifierBatch> LayOutClassifierBatch(EncoderFamily family,
                                                const ClassifierSpecialIds& special,
                                                const std::vector<Ids>& first,
                                                const std::vector<Ids>* second,
                                                const ClassifierInputOptions& options) {
  if (first.empty()) return InvalidArgumentError("a classifier batch needs at least one text");
  if (second != nullptr && second->size() != first.size()) {
    return InvalidArgumentError("a pair batch needs as many second texts as first ones (" +
                                std::to_string(first.size()) + " vs " +
                                std::to_string(second->size()) + ")");
  }
  std::vector<ClassifierInput> rows;
  rows.reserve(first.size());
  size_t longest = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(
        ClassifierInput row,
        LayOutClassifierInput(family, special, first[i],
                              second != nullptr ? &(*second)[i] : nullptr, options.max_length));
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
  return LayOutClassifierBatch(family, special, ids, nullptr, options);
}

StatusOr<ClassifierBatch> EncodeClassifierPairBatch(const Tokenizer& tokenizer,
                                                    EncoderFamily family,
                                                    const std::vector<std::string>& first,
                                                    const std::vector<std::string>& second,
                                                    const ClassifierInputOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(ClassifierSpecialIds special,
                            ClassifierSpecialIdsOf(tokenizer, family));
  std::vector<Ids> a, b;
  a.reserve(first.size());
  b.reserve(second.size());
  for (const std::string& text : first) a.push_back(tokenizer.Encode(text, false));
  for (const std::string& text : second) b.push_back(tokenizer.Encode(text, false));
  return LayOutClassifierBatch(family, special, a, &b, options);
}

}  // namespace augsweep
