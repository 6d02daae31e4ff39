#include "common/tokenizers/sentencepiece_bpe.h"

#include <functional>
#include <unordered_map>

#include "common/tokenizers/bpe_merge.h"
#include "common/tokenizers/text_util.h"

namespace augsweep {

void SentencePieceBpeTokenizer::SegmentNormalized(std::string_view normalized,
                                                  PieceList* out) const {
  // Initial symbols: user-defined pieces whole (and frozen), otherwise one character each.
  std::vector<bpe::Symbol> symbols;
  symbols.reserve(normalized.size());
  for (size_t pos = 0; pos < normalized.size();) {
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
