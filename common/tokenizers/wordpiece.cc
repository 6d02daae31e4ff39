#include "common/tokenizers/wordpiece.h"

#include <algorithm>

#include "common/read_file.h"
#include "common/tokenizers/lower_case_text.h"
#include "common/tokenizers/text_util.h"
#include "common/tokenizers/unicode_data.h"
#include "common/utf8.h"

namespace augsweep {
namespace {

constexpr std::string_view kContinuationPrefix = "##";

// Python's str.strip() on UTF-8 text.
std::string_view StripPythonSpace(std::string_view s) {
  auto is_space_at = [&](size_t pos, size_t* len) {
    return unicode::IsPythonSpace(tokenizer_text::DecodeCodePoint(s, pos, len));
  };
  size_t len = 0;
  while (!s.empty() && is_space_at(0, &len)) s.remove_prefix(len);
  while (!s.empty()) {
    size_t start = s.size() - 1;
    while (start > 0 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
    if (!is_space_at(start, &len) || start + len != s.size()) break;
    s.remove_suffix(len);
  }
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::Create(
    std::string_view vocab_txt, const std::string& source, const WordPieceOptions& options) {
  if (!IsValidUtf8(vocab_txt)) {
    return ValidateUtf8(vocab_txt).WithContext(source + ": vocab.txt must be UTF-8");
  }
  std::unique_ptr<WordPieceTokenizer> t(new WordPieceTokenizer());
  t->options_ = options;
  if (options.max_input_chars_per_word <= 0) {
    return InvalidArgumentError(source + ": max_input_chars_per_word must be positive");
  }
  // One token per line; Python's universal newlines end a line at \n, \r\n or \r.
  for (size_t pos = 0; pos < vocab_txt.size();) {
    const size_t end = vocab_txt.find_first_of("\r\n", pos);
    const size_t line_end = end == std::string_view::npos ? vocab_txt.size() : end;
    t->id_to_token_.emplace_back(vocab_txt.substr(pos, line_end - pos));
    pos = line_end;
    if (pos < vocab_txt.size()) pos += vocab_txt.compare(pos, 2, "\r\n") == 0 ? 2 : 1;
  }
  if (t->id_to_token_.empty()) return InvalidArgumentError(source + ": the vocabulary is empty");
  t->token_to_id_.reserve(t->id_to_token_.size());
  for (int32_t id = 0; id < static_cast<int32_t>(t->id_to_token_.size()); ++id) {
    t->token_to_id_[t->id_to_token_[id]] = id;  // a repeated token keeps its last id
    t->max_token_bytes_ = std::max(t->max_token_bytes_, t->id_to_token_[id].size());
  }

  auto find = [&](const std::string& token) {
    const auto it = t->token_to_id_.find(token);
    return it == t->token_to_id_.end() ? -1 : it->second;
  };
  t->unk_id_ = find(options.unk_token);
  if (t->unk_id_ < 0) {
    return InvalidArgumentError(source + ": the unknown token \"" + options.unk_token +
                                "\" is not in the vocabulary");
  }
  t->sep_id_ = find(options.sep_token);
  t->pad_id_ = find(options.pad_token);
  t->cls_id_ = find(options.cls_token);
  t->mask_id_ = find(options.mask_token);

  // The special tokens (in PreTrainedTokenizer's all_special_tokens order) are split out of the
  // text, kept from lower-casing, and never split by the basic tokenizer.
  t->is_special_.assign(t->id_to_token_.size(), 0);
  std::vector<LiteralToken> literals;
  for (const std::string* token : {&options.unk_token, &options.sep_token, &options.pad_token,
                                   &options.cls_token, &options.mask_token}) {
    const int32_t id = find(*token);
    if (token->empty() || id < 0) continue;
    if (std::find(t->special_tokens_.begin(), t->special_tokens_.end(), *token) !=
        t->special_tokens_.end()) {
      continue;
    }
    t->special_tokens_.push_back(*token);
    t->is_special_[id] = 1;
    literals.push_back(LiteralToken{*token, id});
    t->basic_.never_split.insert(unicode::DecodeUtf8(*token));
  }
  t->special_splitter_ = LiteralTokenSplitter(std::move(literals));
  t->basic_.do_lower_case = options.do_lower_case;
  t->basic_.tokenize_chinese_chars = options.tokenize_chinese_chars;
  t->basic_.strip_accents = options.strip_accents;
  return t;
}

std::vector<std::string> WordPieceTokenizer::Tokenize(std::string_view text) const {
  std::string lowered;
  if (options_.do_lower_case) {
    lowered = LowerCaseOutsideTokens(text, special_tokens_);
    text = lowered;
  }
  std::vector<std::string> tokens;
  for (const LiteralTokenSplitter::Segment& segment : special_splitter_.Split(text)) {
    if (segment.id >= 0) {
      tokens.push_back(id_to_token_[segment.id]);
    } else {
      TokenizePlain(segment.text, &tokens);
    }
  }
  return tokens;
}

void WordPieceTokenizer::TokenizePlain(std::string_view text,
                                       std::vector<std::string>* tokens) const {
  for (const std::u32string& word : BertBasicTokenize(unicode::DecodeUtf8(text), basic_)) {
    // BertTokenizer._tokenize keeps whole only the words of its own never_split argument
    // (empty by default); the special tokens went to WordPiece like any word.
    SplitWord(word, tokens);
  }
}

void WordPieceTokenizer::SplitWord(const std::u32string& word,
                                   std::vector<std::string>* tokens) const {
  if (static_cast<int>(word.size()) > options_.max_input_chars_per_word) {
    tokens->push_back(options_.unk_token);
    return;
  }
  // Byte offset of each character in the UTF-8 spelling, so that candidates are substrings.
  const std::string utf8 = unicode::EncodeUtf8(word);
  std::vector<size_t> offsets;
  offsets.reserve(word.size() + 1);
  for (size_t pos = 0; pos < utf8.size();) {
    offsets.push_back(pos);
    size_t len = 1;
    tokenizer_text::DecodeCodePoint(utf8, pos, &len);
    pos += len;
  }
  offsets.push_back(utf8.size());

  const size_t first_token = tokens->size();
  std::string candidate;
  size_t start = 0;
  while (start < word.size()) {
    // Longest match first: the end moves left until the candidate is in the vocabulary.
    const size_t prefix = start > 0 ? kContinuationPrefix.size() : 0;
    size_t end = word.size();
    while (end > start && offsets[end] - offsets[start] + prefix > max_token_bytes_) --end;
    bool found = false;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? kContinuationPrefix : "");
      candidate.append(utf8, offsets[start], offsets[end] - offsets[start]);
      if (token_to_id_.count(candidate)) {
        found = true;
        break;
      }
    }
    if (!found) {
      tokens->resize(first_token);
      tokens->push_back(options_.unk_token);
      return;
    }
    tokens->push_back(candidate);
    start = end;
  }
}

int32_t WordPieceTokenizer::TokenId(const std::string& token) const {
  const auto it = token_to_id_.find(token);
  return it == token_to_id_.end() ? unk_id_ : it->second;
}

std::vector<int32_t> WordPieceTokenizer::Encode(std::string_view text, bool add_special) const {
  std::vector<int32_t> ids;
  if (add_special && cls_id_ >= 0) ids.push_back(cls_id_);
  for (const std::string& token : Tokenize(text)) ids.push_back(TokenId(token));
  if (add_special && sep_id_ >= 0) ids.push_back(sep_id_);
  return ids;
}

std::string WordPieceTokenizer::Decode(const std::vector<int32_t>& ids, bool skip_special) const {
  // convert_tokens_to_string: " ".join(tokens).replace(" ##", "").strip()
  std::string joined;
  bool first = true;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special && is_special_[id]) continue;
    if (!first) joined.push_back(' ');
    first = false;
    joined.append(id_to_token_[id]);
  }
  const std::string glued = tokenizer_text::ReplaceAll(joined, " ##", "");
  std::string text(StripPythonSpace(glued));
  return options_.clean_up_tokenization_spaces
             ? tokenizer_text::CleanUpTokenizationSpaces(std::move(text))
             : text;
}

std::string WordPieceTokenizer::IdToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "";
  return id_to_token_[id];
}

int32_t WordPieceTokenizer::PieceToId(std::string_view piece) const {
  const auto it = token_to_id_.find(std::string(piece));
  return it == token_to_id_.end() ? -1 : it->second;
}

StatusOr<std::unique_ptr<WordPieceTokenizer>> LoadWordPieceTokenizer(
    const std::string& vocab_path, const WordPieceOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(vocab_path));
  return WordPieceTokenizer::Create(text, vocab_path, options);
}

}  // namespace augsweep
