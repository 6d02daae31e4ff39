#include "common/tokenizers/sentencepiece_bpe.h"

#include <functional>
#include <unordered_map>

#include "common/tokenizers/bpe_merge.h"
#include "common/tokenizers/text_util.h"

namespace augsweep {

SentencePieceBpeTokenizer::SentencePieceBpeTokenizer(SentencePieceModel model)
    : SentencePieceTokenizer(std::move(model)) {
  space_ = this->model().escape_whitespaces ? std::string(tokenizer_text::kSpaceSymbol) : " ";
  for (const SentencePieceModel::Piece& p : this->model().pieces) {
    if (p.type == SentencePieceModel::PieceType::kUnused) split_into_parts_ = false;
    const bool mergeable = p.type == SentencePieceModel::PieceType::kNormal ||
                           p.type == SentencePieceModel::PieceType::kUserDefined;
    if (!mergeable) continue;
    // Record the character in front of every space symbol inside the piece.
    for (size_t hit = p.piece.find(space_, 1); hit != std::string::npos;
         hit = p.piece.find(space_, hit + 1)) {
      size_t start = hit - 1;
      while (start > 0 && (static_cast<uint8_t>(p.piece[start]) & 0xC0) == 0x80) --start;
      glued_before_space_.insert(p.piece.substr(start, hit - start));
    }
  }
}

void SentencePieceBpeTokenizer::SegmentNormalized(std::string_view normalized,
                                                  PieceList* out) const {
  if (!split_into_parts_) {
    SegmentPart(normalized, 0, normalized.size(), out);
    return;
  }
  size_t part_begin = 0;
  size_t prev_char = 0;  // start of the character before `pos`
  for (size_t pos = 0; pos < normalized.size();) {
    size_t len = 1;
    tokenizer_text::DecodeCodePoint(normalized, pos, &len);
    if (pos > part_begin && normalized.compare(pos, space_.size(), space_) == 0 &&
        !glued_before_space_.count(std::string(normalized.substr(prev_char, pos - prev_char)))) {
      SegmentPart(normalized, part_begin, pos, out);
      part_begin = pos;
    }
    prev_char = pos;
    pos += len;
  }
  SegmentPart(normalized, part_begin, normalized.size(), out);
}

void SentencePieceBpeTokenizer::SegmentPart(std::string_view normalized, size_t begin, size_t end,
                                            PieceList* out) const {
  // Symbol offsets are relative to `normalized` cut down to [0, end): the merge loop reads
  // merged text through them.
  normalized = normalized.substr(0, end);
  // Initial symbols: user-defined pieces whole (and frozen), otherwise one character each.
  std::vector<bpe::Symbol> symbols;
  symbols.reserve(end - begin);
  for (size_t pos = begin; pos < end;) {
    bpe::Symbol s;
    size_t len = MatchUserDefined(normalized.substr(pos));
    s.frozen = len > 0;
    if (len == 0) tokenizer_text::DecodeCodePoint(normalized, pos, &len);
    s.begin = static_cast<uint32_t>(pos);
    s.size = static_cast<uint32_t>(len);
    symbols.push_back(s);
    pos += len;
  }
  bpe::LinkSymbols(symbols);

  // An "unused" piece may be built by a merge but is never output: it is split back into the
  // two symbols it was made from (bpe_model.cc's resegmentation).
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unused_parts;
  bpe::MergeSymbols(normalized, symbols,
                    [&](const bpe::Symbol& l, const bpe::Symbol& r,
                        std::string_view merged) -> std::optional<bpe::Candidate> {
                      const int32_t id = NormalPieceId(merged);
                      if (id < 0) return std::nullopt;
                      if (type(id) == SentencePieceModel::PieceType::kUnused) {
                        unused_parts[merged] = {normalized.substr(l.begin, l.size),
                                                normalized.substr(r.begin, r.size)};
                      }
                      return bpe::Candidate{score(id), id};
                    });

  std::function<void(std::string_view)> emit = [&](std::string_view piece) {
    const int32_t id = SentencePieceIdOf(piece);
    if (id >= 0 && type(id) == SentencePieceModel::PieceType::kUnused) {
      const auto it = unused_parts.find(piece);
      if (it != unused_parts.end()) {
        emit(it->second.first);
        emit(it->second.second);
        return;
      }
    }
    out->emplace_back(piece, id);
  };
  for (int32_t i = 0; i >= 0 && i < static_cast<int32_t>(symbols.size()); i = symbols[i].next) {
    emit(normalized.substr(symbols[i].begin, symbols[i].size));
  }
}

}  // namespace augsweep
