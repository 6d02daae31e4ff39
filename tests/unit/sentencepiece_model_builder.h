// Test helper: writes small SentencePiece ModelProto files by hand (protobuf wire format), so the
// tests can exercise model features the real tokenizers lack (user-defined and unused pieces,
// no byte fallback, unigram models) and build malformed files on purpose.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace augsweep::testing {

inline std::string ProtoVarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
inline std::string ProtoKey(uint32_t field, uint32_t wire_type) {
  return ProtoVarint((uint64_t{field} << 3) | wire_type);
}
inline std::string ProtoBytes(uint32_t field, const std::string& payload) {
  return ProtoKey(field, 2) + ProtoVarint(payload.size()) + payload;
}
inline std::string ProtoInt(uint32_t field, int64_t v) {
  return ProtoKey(field, 0) + ProtoVarint(static_cast<uint64_t>(v));
}
inline std::string ProtoFloat(uint32_t field, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  std::string out = ProtoKey(field, 5);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  return out;
}

struct TestPiece {
  std::string piece;
  float score = 0;
  int type = 1;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
};

struct TestModelSpec {
  std::vector<TestPiece> pieces;
  int model_type = 2;  // BPE
  bool byte_fallback = false;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  std::string charsmap;  // precompiled_charsmap, empty for the identity normalizer
};

// <unk>, <s>, </s> followed by `normal` pieces; with `with_bytes`, the 256 byte pieces after them.
inline std::vector<TestPiece> PiecesWithSpecials(const std::vector<TestPiece>& normal,
                                                 bool with_bytes) {
  std::vector<TestPiece> pieces = {{"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3}};
  if (with_bytes) {
    static const char* kHex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
      pieces.push_back({std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">", 0, 6});
    }
  }
  pieces.insert(pieces.end(), normal.begin(), normal.end());
  return pieces;
}

inline std::string BuildSentencePieceModel(const TestModelSpec& spec) {
  std::string out;
  for (const TestPiece& p : spec.pieces) {
    out += ProtoBytes(1, ProtoBytes(1, p.piece) + ProtoFloat(2, p.score) + ProtoInt(3, p.type));
  }
  std::string trainer = ProtoInt(3, spec.model_type) + ProtoInt(35, spec.byte_fallback ? 1 : 0);
  out += ProtoBytes(2, trainer);
  std::string normalizer = ProtoBytes(1, spec.charsmap.empty() ? "identity" : "nmt_nfkc") +
                           ProtoInt(3, spec.add_dummy_prefix) +
                           ProtoInt(4, spec.remove_extra_whitespaces) +
                           ProtoInt(5, spec.escape_whitespaces);
  if (!spec.charsmap.empty()) normalizer += ProtoBytes(2, spec.charsmap);
  out += ProtoBytes(3, normalizer);
  return out;
}

}  // namespace augsweep::testing
