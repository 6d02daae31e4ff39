// A read-only trie over byte strings with an int32 value per key, for walking every key that is a
// prefix of a text (SentencePiece unigram's lattice needs all pieces starting at a position).
// Children are stored sorted in flat arrays: compact for tens of thousands of keys, and a lookup
// touches one small sorted range per byte.
//
// Thread safety: immutable after construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace augsweep {

class ByteTrie {
 public:
  ByteTrie() = default;
  // Keys must be distinct; the views need only live through the constructor.
  explicit ByteTrie(std::vector<std::pair<std::string_view, int32_t>> keys);

  // Calls found(length, value) for each key that is a prefix of `text`, shortest first.
  template <typename Found>
  void ForEachPrefix(std::string_view text, Found&& found) const;

 private:
  struct Node {
    int32_t value = -1;  // -1: no key ends here
    uint32_t children_begin = 0;
    uint32_t children_end = 0;
  };

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<uint8_t> child_bytes_;
  std::vector<uint32_t> child_nodes_;
};

template <typename Found>
void ByteTrie::ForEachPrefix(std::string_view text, Found&& found) const {
  if (nodes_.empty()) return;
  uint32_t node = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const Node& n = nodes_[node];
    const auto begin = child_bytes_.begin() + n.children_begin;
    const auto end = child_bytes_.begin() + n.children_end;
    const uint8_t byte = static_cast<uint8_t>(text[i]);
    const auto it = std::lower_bound(begin, end, byte);
    if (it == end || *it != byte) return;
    node = child_nodes_[it - child_bytes_.begin()];
    if (nodes_[node].value >= 0) found(i + 1, nodes_[node].value);
  }
}

}  // namespace augsweep
