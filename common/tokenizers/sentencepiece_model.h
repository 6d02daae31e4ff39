// The parts of a SentencePiece model file (`tokenizer.model`, a serialized
// sentencepiece.ModelProto) that encoding and decoding need, read with our own wire-format parser
// (protobuf_wire.h) rather than libsentencepiece. Fields we do not use are skipped, so files from
// newer SentencePiece versions load as long as the fields below keep their numbers
// (google/sentencepiece src/sentencepiece_model.proto).
//
// Unlike protobuf itself, the parser requires trainer_spec and normalizer_spec to be present:
// their defaults are not what real models use, so a file without them was cut short.
// ParseSentencePieceModel also validates what SentencePiece's ModelInterface::InitializePieces
// checks (non-empty, distinct pieces, exactly one UNKNOWN piece, 256 byte pieces when
// byte_fallback is on), so a garbage file fails at load time with a message instead of producing
// nonsense ids later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augsweep {

struct SentencePieceModel {
  // ModelProto.SentencePiece.Type; the numbers are the proto's.
  enum class PieceType : int {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6,
  };
  // TrainerSpec.ModelType.
  enum class ModelType : int { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

  struct Piece {
    std::string piece;
    float score = 0.0f;
    PieceType type = PieceType::kNormal;
  };

  std::vector<Piece> pieces;  // index = token id

  // trainer_spec (field 2), with the proto's defaults.
  ModelType model_type = ModelType::kUnigram;
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  std::string unk_piece = "<unk>";
  std::string bos_piece = "<s>";
  std::string eos_piece = "</s>";
  std::string pad_piece = "<pad>";
  std::string unk_surface = " \xE2\x81\x87 ";  // what decoding prints for <unk>: " ⁇ "

  // normalizer_spec (field 3), with the proto's defaults.
  std::string normalizer_name;
  std::string precompiled_charsmap;  // non-empty: a normalization table (precompiled_charsmap.h)
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;

  // denormalizer_spec (field 5): only whether it carries a table (decoding does not apply one).
  size_t denormalizer_charsmap_size = 0;
};

std::string_view ModelTypeName(SentencePieceModel::ModelType type);

// Parses and validates a serialized ModelProto. Errors: DataLoss for bytes that are not a
// well-formed protobuf (truncated, garbage), InvalidArgument for a well-formed message that is not
// a usable model (no pieces, duplicates, no <unk>, ...). Messages carry no file name; callers add
// it with WithContext.
StatusOr<SentencePieceModel> ParseSentencePieceModel(std::string_view bytes);

// "<0x41>" -> 0x41; -1 for anything else. Exactly SentencePiece's spelling: "<0x" + two
// upper-case hex digits + ">".
int SentencePieceByteValue(std::string_view piece);

}  // namespace augsweep
