#include "common/tokenizers/literal_token_splitter.h"

#include <re2/re2.h>

#include <algorithm>

#include "common/tokenizers/text_util.h"

namespace augsweep {
namespace {

using tokenizer_text::DecodeCodePoint;
using tokenizer_text::IsUnicodeWhitespace;

// The code point that ends at text[end) (walking back over continuation bytes), or -1.
int32_t CodePointBefore(std::string_view text, size_t end, size_t* start) {
  if (end == 0) return -1;
  size_t begin = end - 1;
  while (begin > 0 && end - begin < 4 && (static_cast<uint8_t>(text[begin]) & 0xC0) == 0x80) {
    --begin;
  }
  size_t len = 0;
  const int32_t cp = DecodeCodePoint(text, begin, &len);
  if (cp < 0 || begin + len != end) {
    *start = end - 1;
    return -1;
  }
  *start = begin;
  return cp;
}

bool IsWordChar(std::string_view text, size_t pos, size_t len) {
  static const RE2* const kWord = new RE2(R"([\p{L}\p{M}\p{Nd}\p{Pc}])");
  return RE2::FullMatch(re2::StringPiece(text.data() + pos, len), *kWord);
}

}  // namespace

LiteralTokenSplitter::LiteralTokenSplitter(std::vector<LiteralToken> tokens)
    : tokens_(std::move(tokens)) {
  tokens_.erase(std::remove_if(tokens_.begin(), tokens_.end(),
                               [](const LiteralToken& t) { return t.content.empty(); }),
                tokens_.end());
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    by_first_byte_[static_cast<uint8_t>(tokens_[i].content[0])].push_back(i);
  }
  for (auto& bucket : by_first_byte_) {
    std::stable_sort(bucket.begin(), bucket.end(), [this](uint32_t a, uint32_t b) {
      return tokens_[a].content.size() > tokens_[b].content.size();
    });
  }
}

std::vector<LiteralTokenSplitter::Segment> LiteralTokenSplitter::Split(
    std::string_view text) const {
  std::vector<Segment> out;
  if (tokens_.empty()) {
    if (!text.empty()) out.push_back(Segment{text, -1});
    return out;
  }
  size_t emitted = 0;  // text before this offset is already in `out`
  size_t pos = 0;
  while (pos < text.size()) {
    const auto& bucket = by_first_byte_[static_cast<uint8_t>(text[pos])];
    const LiteralToken* match = nullptr;
    for (uint32_t index : bucket) {
      const LiteralToken& t = tokens_[index];
      if (text.compare(pos, t.content.size(), t.content) != 0) continue;
      const size_t end = pos + t.content.size();
      if (t.single_word) {
        size_t before_start = 0, after_len = 0;
        const bool glued_left = CodePointBefore(text, pos, &before_start) >= 0 &&
                                IsWordChar(text, before_start, pos - before_start);
        const bool glued_right =
            DecodeCodePoint(text, end, &after_len) >= 0 && IsWordChar(text, end, after_len);
        if (glued_left || glued_right) continue;
      }
      match = &t;  // longest first, so the first hit is the longest
      break;
    }
    if (match == nullptr) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t end = pos + match->content.size();
    if (match->lstrip) {
      size_t before = 0;
      while (start > emitted) {
        const int32_t cp = CodePointBefore(text, start, &before);
        if (cp < 0 || !IsUnicodeWhitespace(cp) || before < emitted) break;
        start = before;
      }
    }
    if (match->rstrip) {
      size_t len = 0;
      int32_t cp;
      while ((cp = DecodeCodePoint(text, end, &len)) >= 0 && IsUnicodeWhitespace(cp)) end += len;
    }
    if (start > emitted) out.push_back(Segment{text.substr(emitted, start - emitted), -1});
    out.push_back(Segment{{}, match->id});
    emitted = end;
    pos = end;
  }
  if (emitted < text.size()) out.push_back(Segment{text.substr(emitted), -1});
  return out;
}

}  // namespace augsweep
