#include "common/tokenizers/sentencepiece_model.h"

#include <cstring>
#include <unordered_set>

#include "common/tokenizers/protobuf_wire.h"
#include "common/utf8.h"

namespace augsweep {
namespace {

using protobuf_wire::Reader;
using protobuf_wire::WireType;
using Model = SentencePieceModel;

Status WrongWireType(std::string_view field, WireType got, WireType want, size_t offset) {
  return DataLossError(std::string(field) + " at byte offset " + std::to_string(offset) +
                       " has wire type " + std::string(protobuf_wire::WireTypeName(got)) +
                       ", expected " + std::string(protobuf_wire::WireTypeName(want)));
}

// The helpers below read one known field after its key, checking the wire type.
Status ReadInt(Reader& r, std::string_view name, WireType type, size_t key_offset, int64_t* out) {
  if (type != WireType::kVarint) return WrongWireType(name, type, WireType::kVarint, key_offset);
  uint64_t v = 0;
  AUGSWEEP_RETURN_IF_ERROR(r.ReadVarint(&v));
  *out = static_cast<int64_t>(v);  // negative int32 values are sign-extended to 64 bits
  return OkStatus();
}

Status ReadBool(Reader& r, std::string_view name, WireType type, size_t key_offset, bool* out) {
  int64_t v = 0;
  AUGSWEEP_RETURN_IF_ERROR(ReadInt(r, name, type, key_offset, &v));
  *out = v != 0;
  return OkStatus();
}

Status ReadBytes(Reader& r, std::string_view name, WireType type, size_t key_offset,
                 std::string_view* out, size_t* payload_offset = nullptr) {
  if (type != WireType::kLengthDelimited) {
    return WrongWireType(name, type, WireType::kLengthDelimited, key_offset);
  }
  return r.ReadLengthDelimited(out, payload_offset);
}

Status ReadString(Reader& r, std::string_view name, WireType type, size_t key_offset,
                  std::string* out) {
  std::string_view v;
  AUGSWEEP_RETURN_IF_ERROR(ReadBytes(r, name, type, key_offset, &v));
  out->assign(v);
  return OkStatus();
}

Status ParsePiece(std::string_view bytes, size_t base, Model::Piece* piece) {
  Reader r(bytes, base);
  bool has_piece = false;
  while (!r.done()) {
    const size_t key_offset = r.offset();
    uint32_t field = 0;
    WireType type{};
    AUGSWEEP_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    switch (field) {
      case 1:
        AUGSWEEP_RETURN_IF_ERROR(ReadString(r, "piece", type, key_offset, &piece->piece));
        has_piece = true;
        break;
      case 2: {
        if (type != WireType::kFixed32) {
          return WrongWireType("score", type, WireType::kFixed32, key_offset);
        }
        uint32_t bits = 0;
        AUGSWEEP_RETURN_IF_ERROR(r.ReadFixed32(&bits));
        std::memcpy(&piece->score, &bits, sizeof(float));
        break;
      }
      case 3: {
        int64_t v = 0;
        AUGSWEEP_RETURN_IF_ERROR(ReadInt(r, "type", type, key_offset, &v));
        if (v < 1 || v > 6) {
          return InvalidArgumentError("piece at byte offset " + std::to_string(base) +
                                      " has unknown type " + std::to_string(v));
        }
        piece->type = static_cast<Model::PieceType>(v);
        break;
      }
      default:
        AUGSWEEP_RETURN_IF_ERROR(r.SkipField(field, type));
    }
  }
  if (!has_piece || piece->piece.empty()) {
    return InvalidArgumentError("piece at byte offset " + std::to_string(base) +
                                " has an empty string (SentencePiece forbids empty pieces)");
  }
  return OkStatus();
}

Status ParseTrainerSpec(std::string_view bytes, size_t base, Model* model) {
  Reader r(bytes, base);
  while (!r.done()) {
    const size_t key_offset = r.offset();
    uint32_t field = 0;
    WireType type{};
    AUGSWEEP_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    int64_t v = 0;
    switch (field) {
      case 3:  // model_type
        AUGSWEEP_RETURN_IF_ERROR(ReadInt(r, "trainer_spec.model_type", type, key_offset, &v));
        if (v < 1 || v > 4) {
          return InvalidArgumentError("trainer_spec.model_type has unknown value " +
                                      std::to_string(v));
        }
        model->model_type = static_cast<Model::ModelType>(v);
        break;
      case 24:
        AUGSWEEP_RETURN_IF_ERROR(ReadBool(r, "trainer_spec.treat_whitespace_as_suffix", type,
                                          key_offset, &model->treat_whitespace_as_suffix));
        break;
      case 35:
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBool(r, "trainer_spec.byte_fallback", type, key_offset, &model->byte_fallback));
        break;
      case 44:
        AUGSWEEP_RETURN_IF_ERROR(
            ReadString(r, "trainer_spec.unk_surface", type, key_offset, &model->unk_surface));
        break;
      case 45:
      case 46:
      case 47:
      case 48: {
        // An empty *_piece means "use the default", as in ModelInterface::unk_piece() etc.
        std::string value;
        AUGSWEEP_RETURN_IF_ERROR(ReadString(r, "trainer_spec.*_piece", type, key_offset, &value));
        if (value.empty()) break;
        std::string* target = field == 45   ? &model->unk_piece
                              : field == 46 ? &model->bos_piece
                              : field == 47 ? &model->eos_piece
                                            : &model->pad_piece;
        *target = std::move(value);
        break;
      }
      default:
        // unk_id/bos_id/... (40-43) only steer training: at run time SentencePiece finds the
        // special ids through the *_piece strings and the piece types, and so do we.
        AUGSWEEP_RETURN_IF_ERROR(r.SkipField(field, type));
    }
  }
  return OkStatus();
}

Status ParseNormalizerSpec(std::string_view bytes, size_t base, Model* model) {
  Reader r(bytes, base);
  while (!r.done()) {
    const size_t key_offset = r.offset();
    uint32_t field = 0;
    WireType type{};
    AUGSWEEP_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    switch (field) {
      case 1:
        AUGSWEEP_RETURN_IF_ERROR(
            ReadString(r, "normalizer_spec.name", type, key_offset, &model->normalizer_name));
        break;
      case 2: {
        std::string_view charsmap;
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBytes(r, "normalizer_spec.precompiled_charsmap", type, key_offset, &charsmap));
        model->precompiled_charsmap.assign(charsmap);
        break;
      }
      case 3:
        AUGSWEEP_RETURN_IF_ERROR(ReadBool(r, "normalizer_spec.add_dummy_prefix", type, key_offset,
                                          &model->add_dummy_prefix));
        break;
      case 4:
        AUGSWEEP_RETURN_IF_ERROR(ReadBool(r, "normalizer_spec.remove_extra_whitespaces", type,
                                          key_offset, &model->remove_extra_whitespaces));
        break;
      case 5:
        AUGSWEEP_RETURN_IF_ERROR(ReadBool(r, "normalizer_spec.escape_whitespaces", type, key_offset,
                                          &model->escape_whitespaces));
        break;
      default:
        AUGSWEEP_RETURN_IF_ERROR(r.SkipField(field, type));
    }
  }
  return OkStatus();
}

Status Validate(const Model& model) {
  if (model.pieces.empty()) {
    return InvalidArgumentError("the model has no pieces (not a SentencePiece model?)");
  }
  std::unordered_set<std::string_view> seen_normal, seen_reserved;
  bool bytes_seen[256] = {};
  int unknown_count = 0;
  for (size_t i = 0; i < model.pieces.size(); ++i) {
    const Model::Piece& p = model.pieces[i];
    const std::string where = "piece " + std::to_string(i) + " (\"" + p.piece + "\")";
    if (!IsValidUtf8(p.piece)) {
      return InvalidArgumentError("piece " + std::to_string(i) + " is not valid UTF-8");
    }
    // SentencePiece keeps normal/user-defined/unused pieces and the reserved ones (control,
    // unknown, byte) in two maps; a string may appear once in each.
    const bool normal = p.type == Model::PieceType::kNormal ||
                        p.type == Model::PieceType::kUserDefined ||
                        p.type == Model::PieceType::kUnused;
    if (!(normal ? seen_normal : seen_reserved).insert(p.piece).second) {
      return InvalidArgumentError(where + " is defined twice");
    }
    if (p.type == Model::PieceType::kUnknown) ++unknown_count;
    if (p.type == Model::PieceType::kByte) {
      if (!model.byte_fallback) {
        return InvalidArgumentError(where +
                                    " is a byte piece but trainer_spec.byte_fallback is false");
      }
      const int b = SentencePieceByteValue(p.piece);
      if (b < 0) return InvalidArgumentError(where + " is a byte piece but not spelled <0xXX>");
      bytes_seen[b] = true;
    }
  }
  if (unknown_count != 1) {
    return InvalidArgumentError("the model must have exactly one UNKNOWN piece, found " +
                                std::to_string(unknown_count));
  }
  if (model.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (!bytes_seen[b]) {
        return InvalidArgumentError(
            "trainer_spec.byte_fallback is true but the byte piece for byte " + std::to_string(b) +
            " is missing");
      }
    }
  }
  return OkStatus();
}

}  // namespace

std::string_view ModelTypeName(SentencePieceModel::ModelType type) {
  switch (type) {
    case SentencePieceModel::ModelType::kUnigram:
      return "UNIGRAM";
    case SentencePieceModel::ModelType::kBpe:
      return "BPE";
    case SentencePieceModel::ModelType::kWord:
      return "WORD";
    case SentencePieceModel::ModelType::kChar:
      return "CHAR";
  }
  return "?";
}

int SentencePieceByteValue(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  int value = 0;
  for (int i = 3; i < 5; ++i) {
    const char c = piece[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

StatusOr<SentencePieceModel> ParseSentencePieceModel(std::string_view bytes) {
  if (bytes.empty()) return DataLossError("the file is empty");
  Model model;
  bool has_trainer_spec = false, has_normalizer_spec = false;
  Reader r(bytes);
  while (!r.done()) {
    const size_t key_offset = r.offset();
    uint32_t field = 0;
    WireType type{};
    AUGSWEEP_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    std::string_view payload;
    size_t payload_offset = 0;
    switch (field) {
      case 1: {
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBytes(r, "pieces", type, key_offset, &payload, &payload_offset));
        Model::Piece piece;
        AUGSWEEP_RETURN_IF_ERROR(ParsePiece(payload, payload_offset, &piece));
        model.pieces.push_back(std::move(piece));
        break;
      }
      case 2:
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBytes(r, "trainer_spec", type, key_offset, &payload, &payload_offset));
        AUGSWEEP_RETURN_IF_ERROR(ParseTrainerSpec(payload, payload_offset, &model));
        has_trainer_spec = true;
        break;
      case 3:
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBytes(r, "normalizer_spec", type, key_offset, &payload, &payload_offset));
        AUGSWEEP_RETURN_IF_ERROR(ParseNormalizerSpec(payload, payload_offset, &model));
        has_normalizer_spec = true;
        break;
      case 5: {
        AUGSWEEP_RETURN_IF_ERROR(
            ReadBytes(r, "denormalizer_spec", type, key_offset, &payload, &payload_offset));
        Model denormalizer;  // only the size of its precompiled_charsmap is kept
        AUGSWEEP_RETURN_IF_ERROR(ParseNormalizerSpec(payload, payload_offset, &denormalizer));
        model.denormalizer_charsmap_size = denormalizer.precompiled_charsmap.size();
        break;
      }
      default:
        // self_test_data (4) and extensions: not needed.
        AUGSWEEP_RETURN_IF_ERROR(r.SkipField(field, type));
    }
  }
  if (model.pieces.empty()) {
    return InvalidArgumentError("the model has no pieces (not a SentencePiece model?)");
  }
  // Every SentencePiece trainer writes both specs after the pieces, and their defaults differ
  // from what real models use (model_type UNIGRAM, remove_extra_whitespaces on): a file without
  // them was cut short.
  if (!has_trainer_spec || !has_normalizer_spec) {
    return DataLossError(std::string("no ") +
                         (has_trainer_spec ? "normalizer_spec" : "trainer_spec") + " after " +
                         std::to_string(model.pieces.size()) +
                         " pieces: the file is truncated or not a SentencePiece model");
  }
  AUGSWEEP_RETURN_IF_ERROR(Validate(model));
  return model;
}

}  // namespace augsweep
