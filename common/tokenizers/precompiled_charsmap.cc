#include "common/tokenizers/precompiled_charsmap.h"

#include <algorithm>
#include <string>

namespace augsweep {

StatusOr<PrecompiledCharsMap> PrecompiledCharsMap::Parse(std::string_view blob) {
  if (blob.size() <= 4) {
    return DataLossError("precompiled_charsmap of " + std::to_string(blob.size()) +
                         " bytes is too short for its 4-byte header");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const uint32_t trie_size =
      uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
  // normalizer.cc DecodePrecompiledCharsMap's check; a trie that is not whole units simply has
  // its last partial unit ignored, as darts' set_array(size / 4) does.
  if (trie_size >= blob.size()) {
    return DataLossError("precompiled_charsmap header gives a trie of " +
                         std::to_string(trie_size) + " bytes, which does not fit the " +
                         std::to_string(blob.size()) + "-byte blob");
  }
  PrecompiledCharsMap map;
  map.units_ = blob.substr(4, std::min<size_t>(trie_size, blob.size() - 4));
  map.replacements_ = blob.substr(std::min<size_t>(size_t{4} + trie_size, blob.size()));
  return map;
}

std::pair<std::string_view, size_t> PrecompiledCharsMap::LongestMatch(std::string_view text) const {
  // normalizer.cc kMaxTrieResultsSize.
  constexpr int kMaxResults = 32;
  int results = 0;
  size_t longest_length = 0;
  uint32_t longest_value = 0;
  CommonPrefixSearch(text, [&](size_t length, uint32_t value) {
    if (results++ >= kMaxResults) return;
    if (longest_length == 0 || length > longest_length) {
      longest_length = length;
      longest_value = value;
    }
  });
  if (longest_length == 0) return {"", 0};
  if (longest_value >= replacements_.size()) return {"", 0};
  std::string_view replacement = replacements_.substr(longest_value);
  const size_t nul = replacement.find('\0');
  if (nul == std::string_view::npos) return {"", 0};  // unterminated: the blob was cut short
  return {replacement.substr(0, nul), longest_length};
}

}  // namespace augsweep
