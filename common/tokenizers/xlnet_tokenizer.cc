#include "common/tokenizers/xlnet_tokenizer.h"

#include <algorithm>

#include "common/tokenizers/lower_case_text.h"
#include "common/tokenizers/text_util.h"
#include "common/tokenizers/unicode_data.h"

namespace augsweep {
namespace {

using tokenizer_text::kSpaceSymbol;

// Python's " ".join(s.strip().split()).
std::u32string CollapseWhitespace(std::u32string_view text) {
  std::u32string out;
  bool pending_space = false;
  for (char32_t c : text) {
    if (unicode::IsPythonSpace(static_cast<int32_t>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(U' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// str.replace(from, to) for two-character `from`, left to right without overlaps.
std::u32string ReplacePair(std::u32string_view text, std::u32string_view from, char32_t to) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, from.size()) == from) {
      out.push_back(to);
      i += from.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<XlnetTokenizer>> XlnetTokenizer::Create(
    std::unique_ptr<SentencePieceTokenizer> model, const XlnetOptions& options,
    const std::string& source) {
  if (model == nullptr) return InvalidArgumentError(source + ": no SentencePiece model");
  std::unique_ptr<XlnetTokenizer> t(new XlnetTokenizer());
  t->model_ = std::move(model);
  t->options_ = options;
  t->is_special_.assign(t->model_->vocab_size(), 0);

  auto id_of = [&](const std::string& token) {
    return token.empty() ? -1 : t->model_->PieceToId(token);
  };
  t->bos_id_ = id_of(options.bos_token);
  t->eos_id_ = id_of(options.eos_token);
  t->pad_id_ = id_of(options.pad_token);
  t->cls_id_ = id_of(options.cls_token);
  t->sep_id_ = id_of(options.sep_token);
  t->mask_id_ = id_of(options.mask_token);

  // SPECIAL_TOKENS_ATTRIBUTES order, then the additional tokens.
  std::vector<std::string> specials = {options.bos_token, options.eos_token, options.unk_token,
                                       options.sep_token, options.pad_token, options.cls_token,
                                       options.mask_token};
  specials.insert(specials.end(), options.additional_special_tokens.begin(),
                  options.additional_special_tokens.end());
  std::vector<LiteralToken> literals;
  for (const std::string& token : specials) {
    const int32_t id = id_of(token);
    if (id < 0 || std::find(t->special_tokens_.begin(), t->special_tokens_.end(), token) !=
                      t->special_tokens_.end()) {
      continue;
    }
    t->special_tokens_.push_back(token);
    t->is_special_[id] = 1;
    // XLNetTokenizer makes the mask token AddedToken(lstrip=True): "a <mask>" reads as one word.
    literals.push_back(LiteralToken{token, id, /*lstrip=*/token == options.mask_token});
  }
  t->special_splitter_ = LiteralTokenSplitter(std::move(literals));
  return t;
}

std::string XlnetTokenizer::Preprocess(std::string_view text) const {
  std::u32string s = unicode::DecodeUtf8(text);
  if (options_.remove_space) s = CollapseWhitespace(s);
  s = ReplacePair(ReplacePair(s, U"``", U'"'), U"''", U'"');
  if (!options_.keep_accents) {
    std::u32string kept;
    for (char32_t c : unicode::Nfkd(s)) {
      if (unicode::CombiningClass(static_cast<int32_t>(c)) == 0) kept.push_back(c);
    }
    s = std::move(kept);
  }
  if (options_.do_lower_case) {
    // str.lower() of the whole string; the text was already lower-cased character by character
    // (see Tokenize), so only characters NFKD produced can still change.
    std::u32string lower;
    for (char32_t c : s) unicode::AppendLower(static_cast<int32_t>(c), &lower);
    s = std::move(lower);
  }
  return unicode::EncodeUtf8(s);
}

int32_t XlnetTokenizer::IdOfPiece(std::string_view piece) const {
  const int32_t id = model_->PieceToId(piece);
  return id >= 0 ? id : model_->unk_id();
}

void XlnetTokenizer::TokenizePlain(std::string_view text, std::vector<std::string>* pieces) const {
  for (auto& [piece, id] : model_->EncodePieces(Preprocess(text))) {
    const std::u32string chars = unicode::DecodeUtf8(piece);
    const size_t n = chars.size();
    const bool digit_comma =
        n > 1 && chars[n - 1] == U',' && unicode::IsPythonDigit(static_cast<int32_t>(chars[n - 2]));
    if (!digit_comma) {
      pieces->push_back(std::move(piece));
      continue;
    }
    // XLNet splits "1," so that numbers tokenize the same with and without a trailing comma.
    const std::string number = tokenizer_text::ReplaceAll(
        std::string_view(piece).substr(0, piece.size() - 1), kSpaceSymbol, "");
    std::vector<std::pair<std::string, int32_t>> parts = model_->EncodePieces(number);
    if (!piece.starts_with(kSpaceSymbol) && !parts.empty() &&
        parts[0].first.starts_with(kSpaceSymbol)) {
      if (parts[0].first == kSpaceSymbol) {
        parts.erase(parts.begin());
      } else {
        parts[0].first.erase(0, kSpaceSymbol.size());
      }
    }
    for (auto& part : parts) pieces->push_back(std::move(part.first));
    pieces->push_back(",");
  }
}

std::vector<std::string> XlnetTokenizer::Tokenize(std::string_view text) const {
  std::string lowered;
  if (options_.do_lower_case) {
    lowered = LowerCaseOutsideTokens(text, special_tokens_);
    text = lowered;
  }
  std::vector<std::string> pieces;
  for (const LiteralTokenSplitter::Segment& segment : special_splitter_.Split(text)) {
    if (segment.id >= 0) {
      pieces.push_back(model_->IdToPiece(segment.id));
    } else {
      TokenizePlain(segment.text, &pieces);
    }
  }
  return pieces;
}

std::vector<int32_t> XlnetTokenizer::Encode(std::string_view text, bool add_special) const {
  std::vector<int32_t> ids;
  for (const std::string& piece : Tokenize(text)) ids.push_back(IdOfPiece(piece));
  if (add_special) {
    if (sep_id_ >= 0) ids.push_back(sep_id_);
    if (cls_id_ >= 0) ids.push_back(cls_id_);
  }
  return ids;
}

std::string XlnetTokenizer::Decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string text;
  std::string run;  // pieces since the last special token
  auto flush = [&] {
    // convert_tokens_to_string: "".join(tokens).replace("▁", " ").strip()
    const std::string spaced = tokenizer_text::ReplaceAll(run, kSpaceSymbol, " ");
    const size_t first = spaced.find_first_not_of(" \t\n\r\f\v");
    const size_t last = spaced.find_last_not_of(" \t\n\r\f\v");
    if (first != std::string::npos) text.append(spaced, first, last - first + 1);
    run.clear();
  };
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    const bool special = is_special_[id];
    if (special && skip_special) continue;
    if (special) {
      flush();
      text.append(model_->IdToPiece(id));
    } else {
      run.append(model_->IdToPiece(id));
    }
  }
  flush();
  return options_.clean_up_tokenization_spaces
             ? tokenizer_text::CleanUpTokenizationSpaces(std::move(text))
             : text;
}

StatusOr<std::unique_ptr<XlnetTokenizer>> LoadXlnetTokenizer(const std::string& spiece_path,
                                                             const XlnetOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<SentencePieceTokenizer> model,
                            LoadSentencePieceTokenizer(spiece_path));
  return XlnetTokenizer::Create(std::move(model), options, spiece_path);
}

}  // namespace augsweep
