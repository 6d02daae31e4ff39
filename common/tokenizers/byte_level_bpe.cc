#include "common/tokenizers/byte_level_bpe.h"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "common/read_file.h"
#include "common/tokenizers/bpe_merge.h"
#include "common/tokenizers/text_util.h"

namespace augsweep {
namespace {

using tokenizer_text::ByteToUnicode;
using tokenizer_text::DecodeCodePoint;
using tokenizer_text::UnicodeToByte;

// Bounds of the pre-token cache: long pre-tokens (runs of spaces, base64 blobs) are rare repeats.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kMaxCacheEntries = 200000;

uint64_t PairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

// A token's bytes: each character of the byte alphabet is one byte. A token with a character
// outside the alphabet (an added token such as "<|endoftext|>" is spelled in plain text) is
// taken as it is, like the Rust ByteLevel decoder does.
std::string TokenBytes(std::string_view token) {
  std::string bytes;
  bytes.reserve(token.size());
  size_t pos = 0;
  while (pos < token.size()) {
    size_t len = 0;
    const int b = UnicodeToByte(DecodeCodePoint(token, pos, &len));
    if (b < 0) return std::string(token);
    bytes.push_back(static_cast<char>(b));
    pos += len;
  }
  return bytes;
}

std::string ByteLevelSpelling(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw)
    tokenizer_text::AppendCodePoint(ByteToUnicode()[static_cast<uint8_t>(c)], &out);
  return out;
}

// The special tokens of the slow tokenizer `family`, those that the vocab has.
void AddSlowBpeSpecialTokens(SlowBpeFamily family, ByteLevelBpeModel* model) {
  auto vocab_id = [&](std::string_view token) {
    for (const auto& [text, id] : model->vocab) {
      if (text == token) return id;
    }
    return -1;
  };
  auto add = [&](std::string_view token, bool lstrip) {
    const int32_t id = vocab_id(token);
    if (id >= 0) {
      model->added_tokens.push_back(
          {std::string(token), id, /*special=*/true, lstrip, /*rstrip=*/false});
    }
    return id;
  };
  switch (family) {
    case SlowBpeFamily::kGpt2:
      // GPT2Tokenizer's unk, bos and eos are all "<|endoftext|>", split out of the text.
      model->bos_id = model->eos_id = model->unk_id = add("<|endoftext|>", false);
      return;
    case SlowBpeFamily::kRoberta:
      // RobertaTokenizer: <s> A </s>, pairs <s> A </s></s> B </s> (classifier_inputs.h).
      model->bos_id = model->cls_id = add("<s>", false);
      model->eos_id = model->sep_id = add("</s>", false);
      model->unk_id = add("<unk>", false);
      model->pad_id = add("<pad>", false);
      model->mask_id = add("<mask>", /*lstrip=*/true);
      if (model->cls_id >= 0) model->prefix_ids = {model->cls_id};
      if (model->sep_id >= 0) model->suffix_ids = {model->sep_id};
      return;
  }
}

}  // namespace

Status ApplyByteLevelBpeOptions(const ByteLevelBpeOptions& options, ByteLevelBpeModel* model) {
  if (options.add_prefix_space.has_value()) {
    if (model->slow_gpt2) {
      model->prefix_space_whole_text = *options.add_prefix_space;
    } else {
      for (PreTokenizerStep& step : model->pre_tokenizer) {
        if (step.kind == PreTokenizerStep::Kind::kByteLevel) {
          step.add_prefix_space = *options.add_prefix_space;
        }
      }
    }
  }
  model->clean_up_tokenization_spaces = options.clean_up_tokenization_spaces;
  auto find = [&](const std::string& token, const char* what, int32_t* id) -> Status {
    if (token.empty()) return OkStatus();
    for (const auto& added : model->added_tokens) {
      if (added.content == token) {
        *id = added.id;
        return OkStatus();
      }
    }
    for (const auto& [text, vocab_id] : model->vocab) {
      if (text == token) {
        *id = vocab_id;
        return OkStatus();
      }
    }
    return InvalidArgumentError(model->source + ": " + what + " \"" + token +
                                "\" is not a token of this tokenizer");
  };
  AUGSWEEP_RETURN_IF_ERROR(find(options.bos_token, "bos_token", &model->bos_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.eos_token, "eos_token", &model->eos_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.pad_token, "pad_token", &model->pad_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.unk_token, "unk_token", &model->unk_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.cls_token, "cls_token", &model->cls_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.sep_token, "sep_token", &model->sep_id));
  AUGSWEEP_RETURN_IF_ERROR(find(options.mask_token, "mask_token", &model->mask_id));
  return OkStatus();
}

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeTokenizer::Create(
    ByteLevelBpeModel model) {
  std::unique_ptr<ByteLevelBpeTokenizer> t(new ByteLevelBpeTokenizer());
  const std::string& source = model.source;

  // Ids: the vocab, then added tokens (which may reuse a vocab id for the same text).
  int32_t max_id = -1;
  for (const auto& [text, id] : model.vocab) max_id = std::max(max_id, id);
  for (const auto& added : model.added_tokens) max_id = std::max(max_id, added.id);
  if (max_id < 0) return InvalidArgumentError(source + ": the vocabulary is empty");
  if (max_id > 50'000'000) {
    return InvalidArgumentError(source + ": token id " + std::to_string(max_id) +
                                " is implausibly large");
  }
  t->id_to_token_.assign(max_id + 1, "");
  t->is_special_.assign(max_id + 1, 0);
  std::vector<uint8_t> used(max_id + 1, 0);
  t->token_to_id_.reserve(model.vocab.size() + model.added_tokens.size());
  for (const auto& [text, id] : model.vocab) {
    if (id < 0) {
      return InvalidArgumentError(source + ": token \"" + text + "\" has negative id " +
                                  std::to_string(id));
    }
    if (used[id]) {
      return InvalidArgumentError(source + ": id " + std::to_string(id) + " is used by \"" +
                                  t->id_to_token_[id] + "\" and \"" + text + "\"");
    }
    used[id] = 1;
    t->id_to_token_[id] = text;
    t->token_to_id_.emplace(text, id);
  }
  t->id_to_bytes_.resize(max_id + 1);
  for (int32_t id = 0; id <= max_id; ++id) t->id_to_bytes_[id] = TokenBytes(t->id_to_token_[id]);

  std::vector<LiteralToken> literals;
  for (const auto& added : model.added_tokens) {
    if (added.id < 0 || added.content.empty()) {
      return InvalidArgumentError(source + ": added token \"" + added.content +
                                  "\" needs non-empty content and a non-negative id");
    }
    if (used[added.id] && t->id_to_token_[added.id] != added.content) {
      return InvalidArgumentError(source + ": added token \"" + added.content + "\" reuses id " +
                                  std::to_string(added.id) + " of \"" + t->id_to_token_[added.id] +
                                  "\"");
    }
    used[added.id] = 1;
    t->id_to_token_[added.id] = added.content;
    t->id_to_bytes_[added.id] = added.content;  // added tokens are plain text
    t->is_special_[added.id] = added.special;
    t->token_to_id_[added.content] = added.id;
    literals.push_back(
        LiteralToken{added.content, added.id, added.lstrip, added.rstrip, added.single_word});
  }
  t->added_splitter_ = LiteralTokenSplitter(std::move(literals));

  // Merges, by rank. Like the Rust BPE model, every part and result must be a vocab token.
  t->merges_.reserve(model.merges.size());
  for (size_t rank = 0; rank < model.merges.size(); ++rank) {
    const auto& [a, b] = model.merges[rank];
    auto lookup = [&](const std::string& token) -> int32_t {
      const auto it = t->token_to_id_.find(token);
      return it == t->token_to_id_.end() ? -1 : it->second;
    };
    const int32_t left = lookup(a), right = lookup(b), merged = lookup(a + b);
    if (left < 0 || right < 0 || merged < 0) {
      const std::string& missing = left < 0 ? a : right < 0 ? b : a + b;
      return InvalidArgumentError(source + ": merge " + std::to_string(rank + 1) + " (\"" + a +
                                  " " + b + "\") uses \"" + missing +
                                  "\", which is not in the vocabulary");
    }
    // The first (lowest-rank) rule for a pair wins, as in both reference implementations.
    t->merges_.emplace(PairKey(left, right), std::make_pair(static_cast<int32_t>(rank), merged));
  }

  // Byte symbols: each byte's one-character spelling.
  for (int b = 0; b < 256; ++b) {
    std::string spelled;
    tokenizer_text::AppendCodePoint(ByteToUnicode()[b], &spelled);
    const auto it = t->token_to_id_.find(spelled);
    t->byte_ids_[b] = it == t->token_to_id_.end() ? -1 : it->second;
  }

  for (const PreTokenizerStep& config : model.pre_tokenizer) {
    Step step{config, std::nullopt};
    if (config.kind == PreTokenizerStep::Kind::kSplit ||
        (config.kind == PreTokenizerStep::Kind::kByteLevel && config.use_regex)) {
      StatusOr<RegexSplitter> splitter = RegexSplitter::Create(
          config.kind == PreTokenizerStep::Kind::kSplit ? std::string_view(config.regex)
                                                        : kGpt2SplitPattern);
      if (!splitter.ok()) return splitter.status().WithContext(source);
      step.splitter = std::move(splitter).value();
    }
    t->steps_.push_back(std::move(step));
  }
  if (t->steps_.empty() || t->steps_.back().config.kind != PreTokenizerStep::Kind::kByteLevel) {
    return UnimplementedError(source + ": the pre-tokenizer must end with a ByteLevel step");
  }

  auto check_id = [&](int32_t id, const char* what) -> Status {
    if (id < -1 || id > max_id || (id >= 0 && !used[id])) {
      return InvalidArgumentError(source + ": " + what + " id " + std::to_string(id) +
                                  " is not a token of this tokenizer");
    }
    return OkStatus();
  };
  for (int32_t id : model.prefix_ids) AUGSWEEP_RETURN_IF_ERROR(check_id(id, "post-processor"));
  for (int32_t id : model.suffix_ids) AUGSWEEP_RETURN_IF_ERROR(check_id(id, "post-processor"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.unk_id, "unk"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.bos_id, "bos"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.eos_id, "eos"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.pad_id, "pad"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.cls_id, "cls"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.sep_id, "sep"));
  AUGSWEEP_RETURN_IF_ERROR(check_id(model.mask_id, "mask"));

  t->unk_id_ = model.unk_id;
  t->ignore_merges_ = model.ignore_merges;
  t->prefix_space_whole_text_ = model.prefix_space_whole_text;
  t->prefix_ids_ = std::move(model.prefix_ids);
  t->suffix_ids_ = std::move(model.suffix_ids);
  t->bos_id_ = model.bos_id;
  t->eos_id_ = model.eos_id;
  t->pad_id_ = model.pad_id;
  t->cls_id_ = model.cls_id;
  t->sep_id_ = model.sep_id;
  t->mask_id_ = model.mask_id;
  t->clean_up_ = model.clean_up_tokenization_spaces;
  return t;
}

std::vector<int32_t> ByteLevelBpeTokenizer::Encode(std::string_view text, bool add_special) const {
  std::vector<int32_t> ids;
  if (add_special) ids = prefix_ids_;
  std::string prefixed;
  if (prefix_space_whole_text_) {
    prefixed.reserve(text.size() + 1);
    prefixed.push_back(' ');
    prefixed.append(text);
    text = prefixed;
  }
  for (const LiteralTokenSplitter::Segment& segment : added_splitter_.Split(text)) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
    } else {
      EncodePlain(segment.text, &ids);
    }
  }
  if (add_special) ids.insert(ids.end(), suffix_ids_.begin(), suffix_ids_.end());
  return ids;
}

void ByteLevelBpeTokenizer::EncodePlain(std::string_view text, std::vector<int32_t>* ids) const {
  std::deque<std::string> prefixed;  // storage for pieces that got a space in front (stable)
  std::vector<std::string_view> pieces{text};
  std::vector<std::string_view> next;
  for (const Step& step : steps_) {
    next.clear();
    for (std::string_view piece : pieces) {
      if (step.config.kind == PreTokenizerStep::Kind::kByteLevel && step.config.add_prefix_space &&
          !piece.starts_with(' ')) {
        prefixed.push_back(" " + std::string(piece));
        piece = prefixed.back();
      }
      if (step.splitter.has_value()) {
        step.splitter->Split(piece, &next);
      } else {
        next.push_back(piece);
      }
    }
    pieces.swap(next);
  }
  for (std::string_view piece : pieces) {
    if (!piece.empty()) EncodeWord(piece, ids);
  }
}

void ByteLevelBpeTokenizer::EncodeWord(std::string_view word, std::vector<int32_t>* ids) const {
  if (ignore_merges_) {
    const auto it = token_to_id_.find(ByteLevelSpelling(word));
    if (it != token_to_id_.end()) {
      ids->push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  std::string key;
  if (cacheable) {
    key.assign(word);
    MutexLock lock(&cache_mu_);
    const auto it = cache_.find(key);
    if (it != cache_.end()) {
      ids->insert(ids->end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = ids->size();
  MergeWord(word, ids);
  if (cacheable) {
    MutexLock lock(&cache_mu_);
    if (cache_.size() < kMaxCacheEntries) {
      cache_.emplace(std::move(key), std::vector<int32_t>(ids->begin() + first, ids->end()));
    }
  }
}

void ByteLevelBpeTokenizer::MergeWord(std::string_view word, std::vector<int32_t>* ids) const {
  std::vector<bpe::Symbol> symbols;
  symbols.reserve(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    bpe::Symbol s;
    s.begin = static_cast<uint32_t>(i);
    s.size = 1;
    s.id = byte_ids_[static_cast<uint8_t>(word[i])];
    if (s.id < 0) {
      // A byte missing from the vocab: <unk> if there is one (never merged), else dropped.
      if (unk_id_ < 0) continue;
      s.id = unk_id_;
      s.frozen = true;
    }
    symbols.push_back(s);
  }
  bpe::LinkSymbols(symbols);
  bpe::MergeSymbols(
      word, symbols,
      [this](const bpe::Symbol& l, const bpe::Symbol& r,
             std::string_view) -> std::optional<bpe::Candidate> {
        const auto it = merges_.find(PairKey(l.id, r.id));
        if (it == merges_.end()) return std::nullopt;
        // Lower rank merges first.
        return bpe::Candidate{-static_cast<double>(it->second.first), it->second.second};
      });
  for (int32_t i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next)
    ids->push_back(symbols[i].id);
}

std::string ByteLevelBpeTokenizer::Decode(const std::vector<int32_t>& ids,
                                          bool skip_special) const {
  std::string bytes;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special && is_special_[id]) continue;
    bytes += id_to_bytes_[id];
  }
  std::string text = tokenizer_text::Utf8Lossy(bytes);
  return clean_up_ ? tokenizer_text::CleanUpTokenizationSpaces(std::move(text)) : text;
}

std::string ByteLevelBpeTokenizer::DecodePiece(int32_t /*previous*/, int32_t id) const {
  if (id < 0 || id >= vocab_size() || is_special_[id]) return "";
  return id_to_bytes_[id];
}

std::string ByteLevelBpeTokenizer::IdToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "";
  return id_to_token_[id];
}

int32_t ByteLevelBpeTokenizer::PieceToId(std::string_view piece) const {
  const auto it = token_to_id_.find(std::string(piece));
  return it == token_to_id_.end() ? -1 : it->second;
}

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeFromVocabAndMerges(
    std::string_view vocab_json, std::string_view merges_txt, const std::string& source,
    const ByteLevelBpeOptions& options) {
  ByteLevelBpeModel model;
  model.source = source;
  model.slow_gpt2 = true;
  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(vocab_json);
  } catch (const nlohmann::json::exception& e) {
    return DataLossError(source + ": vocab.json is not valid JSON: " + e.what());
  }
  if (!vocab.is_object()) {
    return InvalidArgumentError(source + ": vocab.json must be an object mapping tokens to ids");
  }
  model.vocab.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) {
      return InvalidArgumentError(source + ": vocab.json: the id of \"" + token +
                                  "\" is not an integer");
    }
    model.vocab.emplace_back(token, id.get<int32_t>());
  }
  // merges.txt: "#version: ..." header, then "left right" per line.
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < merges_txt.size()) {
    size_t end = merges_txt.find('\n', pos);
    if (end == std::string_view::npos) end = merges_txt.size();
    std::string_view line = merges_txt.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || (line_number == 1 && line.starts_with("#version"))) continue;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos) {
      return InvalidArgumentError(source + ": merges.txt:" + std::to_string(line_number) +
                                  ": expected two tokens separated by one space, got \"" +
                                  std::string(line) + "\"");
    }
    model.merges.emplace_back(std::string(line.substr(0, space)),
                              std::string(line.substr(space + 1)));
  }
  model.pre_tokenizer.push_back(
      PreTokenizerStep{PreTokenizerStep::Kind::kByteLevel, "", false, true});
  AddSlowBpeSpecialTokens(options.family, &model);
  AUGSWEEP_RETURN_IF_ERROR(ApplyByteLevelBpeOptions(options, &model));
  return ByteLevelBpeTokenizer::Create(std::move(model));
}

StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> LoadByteLevelBpeFromVocabAndMerges(
    const std::string& vocab_path, const std::string& merges_path,
    const ByteLevelBpeOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string vocab, ReadWholeFile(vocab_path));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string merges, ReadWholeFile(merges_path));
  return ByteLevelBpeFromVocabAndMerges(vocab, merges, vocab_path + " + " + merges_path, options);
}

}  // namespace augsweep
