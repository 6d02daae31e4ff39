// A SentencePiece normalization table (NormalizerSpec.precompiled_charsmap, e.g. the "nmt_nfkc"
// rules of XLNet's, T5's and ALBERT's spiece.model), read the way google/sentencepiece's
// normalizer.cc reads it:
//
//   <uint32 little-endian: trie size in bytes> <double-array trie> <replacement strings>
//
// The trie is a darts-clone double array of uint32 units mapping source byte strings to an
// offset into the replacement blob, where the replacement is a NUL-terminated UTF-8 string.
// Normalization replaces the longest source string found at the current position.
//
// Darts-clone unit layout (what commonPrefixSearch below relies on):
//   bits 0-7  label (the byte that leads into the unit; bit 31 set marks a value unit),
//   bit 8     has_leaf (a value unit sits at this unit's child for label 0),
//   bit 9     offset is shifted left by 8,
//   bits 10-31 offset (the XOR distance to the unit's children);
//   a value unit holds the value in bits 0-30.
//
// A damaged table cannot make a lookup read outside the blob: units and replacements are
// bounds-checked as they are reached, and what lies outside counts as "no match".
//
// Thread safety: immutable after Parse; the views point into the caller's blob, which must
// outlive this object.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace augsweep {

class PrecompiledCharsMap {
 public:
  // Checks the header as SentencePiece does (the trie size must leave room for replacements).
  // Errors are DataLoss and carry no file name (callers add it).
  static StatusOr<PrecompiledCharsMap> Parse(std::string_view blob);

  // The replacement for the longest source string at the start of `text`, and that string's
  // length in bytes; {"", 0} when no rule matches there. Like SentencePiece, only the first 32
  // matching keys are looked at (its builder guarantees there are never more).
  std::pair<std::string_view, size_t> LongestMatch(std::string_view text) const;

  // Darts::DoubleArray::commonPrefixSearch: calls found(length, value) for each key that is a
  // prefix of `text`, shortest first. Exposed for tests.
  template <typename Found>
  void CommonPrefixSearch(std::string_view text, Found&& found) const;

 private:
  PrecompiledCharsMap() = default;
  uint32_t unit(size_t pos) const;

  std::string_view units_;         // the trie, 4 bytes per unit
  std::string_view replacements_;  // NUL-terminated strings
};

inline uint32_t PrecompiledCharsMap::unit(size_t pos) const {
  const auto* p = reinterpret_cast<const uint8_t*>(units_.data()) + 4 * pos;
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

template <typename Found>
void PrecompiledCharsMap::CommonPrefixSearch(std::string_view text, Found&& found) const {
  const size_t num_units = units_.size() / 4;
  auto offset = [](uint32_t u) -> size_t { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  if (num_units == 0) return;
  size_t node = offset(unit(0));
  for (size_t i = 0; i < text.size(); ++i) {
    const uint8_t byte = static_cast<uint8_t>(text[i]);
    node ^= byte;
    if (node >= num_units) return;  // a broken trie: treat as "no further match"
    const uint32_t u = unit(node);
    if ((u & ((1u << 31) | 0xFF)) != byte) return;
    node ^= offset(u);
    if ((u >> 8) & 1) {
      if (node >= num_units) return;
      found(i + 1, unit(node) & ((1u << 31) - 1));
    }
  }
}

}  // namespace augsweep
