#include "common/tokenizers/sentencepiece_tokenizer.h"

#include <algorithm>

#include "common/read_file.h"
#include "common/tokenizers/sentencepiece_bpe.h"
#include "common/tokenizers/sentencepiece_unigram.h"
#include "common/tokenizers/text_util.h"

namespace augsweep {
namespace {

using PieceType = SentencePieceModel::PieceType;
using tokenizer_text::DecodeCodePoint;
using tokenizer_text::kReplacementChar;
using tokenizer_text::kSpaceSymbol;

// Drops one leading "▁" and turns every other one into a space.
std::string PieceToText(std::string_view piece, bool drop_leading_space, bool* dropped) {
  *dropped = false;
  if (drop_leading_space && piece.substr(0, kSpaceSymbol.size()) == kSpaceSymbol) {
    piece.remove_prefix(kSpaceSymbol.size());
    *dropped = true;
  }
  return tokenizer_text::ReplaceAll(piece, kSpaceSymbol, " ");
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceModel model)
    : model_(std::move(model)) {
  std::fill(std::begin(byte_ids_), std::end(byte_ids_), -1);
  std::vector<LiteralToken> specials;
  for (int32_t id = 0; id < static_cast<int32_t>(model_.pieces.size()); ++id) {
    const SentencePieceModel::Piece& p = model_.pieces[id];
    switch (p.type) {
      case PieceType::kNormal:
      case PieceType::kUnused:
        normal_pieces_.emplace(p.piece, id);
        break;
      case PieceType::kUserDefined:
        normal_pieces_.emplace(p.piece, id);
        user_defined_.push_back(p.piece);
        break;
      case PieceType::kUnknown:
        reserved_pieces_.emplace(p.piece, id);
        unk_id_ = id;
        specials.push_back(LiteralToken{p.piece, id});
        break;
      case PieceType::kControl:
        reserved_pieces_.emplace(p.piece, id);
        specials.push_back(LiteralToken{p.piece, id});
        break;
      case PieceType::kByte:
        reserved_pieces_.emplace(p.piece, id);
        byte_ids_[SentencePieceByteValue(p.piece)] = id;
        break;
    }
  }
  std::stable_sort(user_defined_.begin(), user_defined_.end(),
                   [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  auto control_id = [this](const std::string& piece) {
    const auto it = reserved_pieces_.find(piece);
    return it != reserved_pieces_.end() && type(it->second) == PieceType::kControl ? it->second
                                                                                   : -1;
  };
  if (!model_.precompiled_charsmap.empty()) {
    charsmap_ = PrecompiledCharsMap::Parse(model_.precompiled_charsmap).value();
  }
  bos_id_ = control_id(model_.bos_piece);
  eos_id_ = control_id(model_.eos_piece);
  pad_id_ = control_id(model_.pad_piece);
  special_splitter_ = LiteralTokenSplitter(std::move(specials));
}

int32_t SentencePieceTokenizer::NormalPieceId(std::string_view piece) const {
  const auto it = normal_pieces_.find(piece);
  return it == normal_pieces_.end() ? -1 : it->second;
}

int32_t SentencePieceTokenizer::PieceToId(std::string_view piece) const {
  const auto it = reserved_pieces_.find(piece);
  if (it != reserved_pieces_.end()) return it->second;
  return NormalPieceId(piece);
}

int32_t SentencePieceTokenizer::SentencePieceIdOf(std::string_view piece) const {
  const int32_t id = PieceToId(piece);
  return id >= 0 ? id : unk_id_;
}

std::string SentencePieceTokenizer::IdToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "";
  return model_.pieces[id].piece;
}

size_t SentencePieceTokenizer::MatchUserDefined(std::string_view text) const {
  for (std::string_view piece : user_defined_) {  // longest first
    if (text.substr(0, piece.size()) == piece) return piece.size();
  }
  return 0;
}

std::pair<std::string_view, size_t> SentencePieceTokenizer::NormalizePrefix(
    std::string_view input) const {
  // User-defined pieces are never normalized; then the table's longest rule; else one character
  // as it is (one bad byte becomes U+FFFD).
  if (const size_t user_defined = MatchUserDefined(input); user_defined > 0) {
    return {input.substr(0, user_defined), user_defined};
  }
  if (charsmap_.has_value()) {
    const auto [replacement, length] = charsmap_->LongestMatch(input);
    if (length > 0) return {replacement, length};
  }
  size_t length = 0;
  if (DecodeCodePoint(input, 0, &length) < 0) return {kReplacementChar, 1};
  return {input.substr(0, length), length};
}

std::string SentencePieceTokenizer::Normalize(std::string_view input) const {
  // normalizer.cc Normalizer::Normalize. Only ' ' is special: normalized text made of spaces is
  // dropped at the start, and a normalized piece's leading spaces are dropped after a space.
  std::string out;
  const bool remove_extra = model_.remove_extra_whitespaces;
  if (remove_extra) {
    while (!input.empty()) {
      const auto [piece, consumed] = NormalizePrefix(input);
      if (piece != " ") break;
      input.remove_prefix(consumed);
    }
  }
  if (input.empty()) return out;
  out.reserve(input.size() + input.size() / 2 + 3);
  const std::string_view space = model_.escape_whitespaces ? kSpaceSymbol : " ";
  if (model_.add_dummy_prefix) out.append(space);
  bool is_prev_space = remove_extra;
  while (!input.empty()) {
    auto [piece, consumed] = NormalizePrefix(input);
    if (is_prev_space) {
      while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    }
    if (!piece.empty()) {
      for (char c : piece) {
        if (c == ' ') {
          out.append(space);
        } else {
          out.push_back(c);
        }
      }
      is_prev_space = piece.back() == ' ';
    }
    input.remove_prefix(consumed);
    if (!remove_extra) is_prev_space = false;
  }
  if (remove_extra) {
    while (out.size() >= space.size() &&
           out.compare(out.size() - space.size(), space.size(), space) == 0) {
      out.resize(out.size() - space.size());
    }
  }
  return out;
}

void SentencePieceTokenizer::ForEachOutputPiece(std::string_view text,
                                                const OutputPieceFn& emit) const {
  const std::string normalized = Normalize(text);
  if (normalized.empty()) return;
  PieceList pieces;
  SegmentNormalized(normalized, &pieces);
  // sentencepiece_processor.cc PopulateSentencePieceText: an unknown piece becomes its UTF-8
  // bytes under byte_fallback; otherwise a run of unknown pieces becomes a single one.
  bool prev_unknown = false;
  for (const auto& [piece, id] : pieces) {
    const bool unknown = id == unk_id_;
    if (unknown && model_.byte_fallback) {
      for (char c : piece) {
        const int32_t byte_id = byte_ids_[static_cast<uint8_t>(c)];
        emit(model_.pieces[byte_id].piece, byte_id, /*extends_previous=*/false);
      }
    } else {
      emit(piece, id, /*extends_previous=*/unknown && prev_unknown);
    }
    prev_unknown = unknown;
  }
}

std::vector<std::pair<std::string, int32_t>> SentencePieceTokenizer::EncodePieces(
    std::string_view text) const {
  std::vector<std::pair<std::string, int32_t>> out;
  ForEachOutputPiece(text, [&](std::string_view piece, int32_t id, bool extends_previous) {
    if (extends_previous) {
      out.back().first.append(piece);
    } else {
      out.emplace_back(std::string(piece), id);
    }
  });
  return out;
}

void SentencePieceTokenizer::EncodeText(std::string_view text, std::vector<int32_t>* ids) const {
  ForEachOutputPiece(text, [&](std::string_view, int32_t id, bool extends_previous) {
    if (!extends_previous) ids->push_back(id);
  });
}

std::vector<int32_t> SentencePieceTokenizer::Encode(std::string_view text, bool add_special) const {
  std::vector<int32_t> ids;
  if (!add_special) {
    EncodeText(text, &ids);
    return ids;
  }
  if (bos_id_ >= 0) ids.push_back(bos_id_);
  for (const LiteralTokenSplitter::Segment& segment : special_splitter_.Split(text)) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
    } else {
      EncodeText(segment.text, &ids);
    }
  }
  return ids;
}

std::string SentencePieceTokenizer::Decode(const std::vector<int32_t>& ids,
                                           bool skip_special) const {
  // sentencepiece_processor.cc Decode: consecutive byte pieces are collected and turned into
  // text together; the first piece that starts with "▁" (before any text) loses it.
  std::string text;
  std::string pending_bytes;
  bool expect_bos_space = true;
  bool bos_space_seen = false;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    const PieceType t = type(id);
    if (t == PieceType::kByte) {
      pending_bytes.push_back(static_cast<char>(SentencePieceByteValue(model_.pieces[id].piece)));
      continue;
    }
    tokenizer_text::AppendUtf8ReplacingEachBadByte(pending_bytes, &text);
    pending_bytes.clear();
    if (bos_space_seen || !text.empty()) expect_bos_space = false;
    bos_space_seen = false;
    if (t == PieceType::kControl) {
      if (!skip_special) text += model_.pieces[id].piece;
    } else if (t == PieceType::kUnknown) {
      text += skip_special ? model_.unk_surface : model_.pieces[id].piece;
    } else {
      bool dropped = false;
      text += PieceToText(model_.pieces[id].piece, expect_bos_space && StripsBosSpace(), &dropped);
      // With remove_extra_whitespaces every leading space goes, not just the first.
      bos_space_seen = dropped && !model_.remove_extra_whitespaces;
    }
  }
  tokenizer_text::AppendUtf8ReplacingEachBadByte(pending_bytes, &text);
  return text;
}

std::string SentencePieceTokenizer::DecodePiece(int32_t previous, int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "";
  switch (type(id)) {
    case PieceType::kByte:
      return std::string(1, static_cast<char>(SentencePieceByteValue(model_.pieces[id].piece)));
    case PieceType::kControl:
      return "";
    case PieceType::kUnknown:
      return model_.unk_surface;
    default:
      break;
  }
  const bool at_start =
      previous < 0 || previous >= vocab_size() || type(previous) == PieceType::kControl;
  bool dropped = false;
  return PieceToText(model_.pieces[id].piece, at_start && StripsBosSpace(), &dropped);
}

StatusOr<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizerFromBytes(
    std::string_view bytes, const std::string& name) {
  StatusOr<SentencePieceModel> parsed = ParseSentencePieceModel(bytes);
  if (!parsed.ok()) {
    return parsed.status().WithContext(name + ": not a valid SentencePiece model");
  }
  SentencePieceModel model = std::move(parsed).value();
  if (!model.precompiled_charsmap.empty()) {
    if (Status charsmap = PrecompiledCharsMap::Parse(model.precompiled_charsmap).status();
        !charsmap.ok()) {
      return charsmap.WithContext(name + ": normalizer_spec \"" + model.normalizer_name + "\"");
    }
  }
  if (model.denormalizer_charsmap_size > 0) {
    return UnimplementedError(name + ": SentencePiece denormalizer tables are not supported");
  }
  if (model.treat_whitespace_as_suffix) {
    return UnimplementedError(name +
                              ": trainer_spec.treat_whitespace_as_suffix = true is not supported");
  }
  switch (model.model_type) {
    case SentencePieceModel::ModelType::kBpe:
      return std::unique_ptr<SentencePieceTokenizer>(
          new SentencePieceBpeTokenizer(std::move(model)));
    case SentencePieceModel::ModelType::kUnigram:
      return std::unique_ptr<SentencePieceTokenizer>(
          new SentencePieceUnigramTokenizer(std::move(model)));
    default:
      return UnimplementedError(name + ": SentencePiece model_type " +
                                std::string(ModelTypeName(model.model_type)) +
                                " is not supported; only BPE and UNIGRAM models are");
  }
}

StatusOr<std::unique_ptr<SentencePieceTokenizer>> LoadSentencePieceTokenizer(
    const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  return SentencePieceTokenizerFromBytes(bytes, path);
}

}  // namespace augsweep
