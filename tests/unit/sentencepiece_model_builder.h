// Test helper: writes small SentencePiece ModelProto files by hand (protobuf wire format), so the
// tests can exercise model features the real tokenizers lack (user-defined and unused pieces,
// no byte fallback, unigram models) and build malformed files on purpose; and builds
// precompiled_charsmap normalization tables (darts-clone double arrays) from a few rules.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
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
  int model_type = 2;  // BPE (1 = UNIGRAM)
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

// A precompiled_charsmap blob mapping each key of `rules` (non-empty, no NUL byte) to its
// replacement, in SentencePiece's layout: uint32 trie size, darts-clone units, NUL-terminated
// replacements. The double array is laid out plainly rather than packed like darts-clone's
// builder: every trie node that has children or a value gets its own 256-unit block, whose base
// is a multiple of 256, so a child for byte c sits at base + c and the value unit at base + 0.
// Units in a block that no edge uses get a label that cannot match the byte leading to them.
inline std::string BuildPrecompiledCharsMap(const std::map<std::string, std::string>& rules) {
  struct Node {
    std::map<uint8_t, std::unique_ptr<Node>> children;
    int64_t value = -1;
    uint32_t base = 0;
  };
  Node root;
  std::string replacements;
  for (const auto& [key, replacement] : rules) {
    if (key.empty() || key.find('\0') != std::string::npos) {
      throw std::invalid_argument("charsmap keys must be non-empty and NUL-free");
    }
    Node* node = &root;
    for (char c : key) {
      auto& child = node->children[static_cast<uint8_t>(c)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
    node->value = static_cast<int64_t>(replacements.size());
    replacements += replacement;
    replacements.push_back('\0');
  }
  // Block 0 holds only the root unit; each node gets the next block.
  std::vector<uint32_t> units(256, 0);
  auto assign = [&](auto&& self, Node* node) -> void {
    node->base = static_cast<uint32_t>(units.size());
    units.resize(units.size() + 256);
    for (uint32_t c = 0; c < 256; ++c) units[node->base + c] = c ^ 1;  // unreachable labels
    if (node->value >= 0) units[node->base] = static_cast<uint32_t>(node->value) | (1u << 31);
    for (auto& [byte, child] : node->children) {
      if (!child->children.empty() || child->value >= 0) self(self, child.get());
    }
  };
  assign(assign, &root);
  auto encode_offset = [](uint32_t offset) {
    if (offset >= (1u << 21)) throw std::length_error("charsmap test trie too large");
    return offset << 10;
  };
  units[0] = encode_offset(0 ^ root.base);
  auto link = [&](auto&& self, Node* node) -> void {
    for (auto& [byte, child] : node->children) {
      const uint32_t pos = node->base + byte;
      uint32_t unit = byte;
      if (child->value >= 0) unit |= 1u << 8;
      unit |= encode_offset(pos ^ child->base);
      units[pos] = unit;
      self(self, child.get());
    }
  };
  link(link, &root);
  std::string blob;
  const uint32_t trie_bytes = static_cast<uint32_t>(units.size() * 4);
  for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((trie_bytes >> (8 * i)) & 0xFF));
  for (uint32_t u : units) {
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
  }
  return blob + replacements;
}

}  // namespace augsweep::testing
