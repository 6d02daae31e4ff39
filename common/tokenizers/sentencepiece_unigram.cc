#include "common/tokenizers/sentencepiece_unigram.h"

#include <algorithm>
#include <cfloat>

namespace augsweep {
namespace {

using PieceType = SentencePieceModel::PieceType;

// unigram_model.cc kUnkPenalty.
constexpr float kUnkPenalty = 10.0f;

// string_util::OneCharLen: the length a UTF-8 lead byte announces (1 for stray bytes).
size_t OneCharLen(uint8_t lead) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]; }

}  // namespace

SentencePieceUnigramTokenizer::SentencePieceUnigramTokenizer(SentencePieceModel model)
    : SentencePieceTokenizer(std::move(model)) {
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;  // sic: SentencePiece starts from the smallest positive float
  std::vector<std::pair<std::string_view, int32_t>> keys;
  const auto& pieces = this->model().pieces;
  for (int32_t id = 0; id < static_cast<int32_t>(pieces.size()); ++id) {
    const PieceType t = pieces[id].type;
    if (t == PieceType::kNormal) {
      min_score_ = std::min(min_score_, pieces[id].score);
      max_score_ = std::max(max_score_, pieces[id].score);
    }
    if (t == PieceType::kNormal || t == PieceType::kUserDefined || t == PieceType::kUnused) {
      keys.emplace_back(pieces[id].piece, id);
    }
  }
  trie_ = ByteTrie(std::move(keys));
}

void SentencePieceUnigramTokenizer::SegmentNormalized(std::string_view normalized,
                                                      PieceList* out) const {
  // best[end]: the best path covering normalized[0, end), by the start and id of its last piece.
  struct BestPath {
    int32_t id = -1;
    float score = 0;
    int64_t starts_at = -1;
  };
  const size_t size = normalized.size();
  const float unk_score = min_score_ - kUnkPenalty;
  std::vector<BestPath> best(size + 1);
  for (size_t start = 0; start < size;) {
    const float score_here = best[start].score;
    const size_t char_len =
        std::min(OneCharLen(static_cast<uint8_t>(normalized[start])), size - start);
    bool has_single_char_piece = false;
    trie_.ForEachPrefix(normalized.substr(start), [&](size_t length, int32_t id) {
      const PieceType t = type(id);
      if (t == PieceType::kUnused) return;
      BestPath& target = best[start + length];
      // The arithmetic follows unigram_model.cc's types: its `? :` over a double (the
      // user-defined score) and a float makes every piece score a double, so the sum is
      // rounded to float only when stored. This decides near-ties the same way.
      const double piece_score =
          t == PieceType::kUserDefined
              ? static_cast<double>(static_cast<float>(length) * max_score_) - 0.1
              : static_cast<double>(score(id));
      const double candidate = piece_score + score_here;
      if (target.starts_at == -1 || candidate > target.score) {
        target.score = static_cast<float>(candidate);
        target.starts_at = static_cast<int64_t>(start);
        target.id = id;
      }
      if (length == char_len) has_single_char_piece = true;
    });
    if (!has_single_char_piece) {
      BestPath& target = best[start + char_len];
      const float candidate = unk_score + score_here;
      if (target.starts_at == -1 || candidate > target.score) {
        target.score = candidate;
        target.starts_at = static_cast<int64_t>(start);
        target.id = unk_id();
      }
    }
    start += char_len;
  }
  const size_t first = out->size();
  for (size_t end = size; end > 0;) {
    const BestPath& node = best[end];
    const size_t start = static_cast<size_t>(node.starts_at);
    out->emplace_back(normalized.substr(start, end - start), node.id);
    end = start;
  }
  std::reverse(out->begin() + first, out->end());
}

}  // namespace augsweep
