#include "common/tokenizers/byte_trie.h"

#include <tuple>

namespace augsweep {

ByteTrie::ByteTrie(std::vector<std::pair<std::string_view, int32_t>> keys) {
  std::sort(keys.begin(), keys.end());
  // An explicit stack rather than recursion: a damaged model may hold a very long piece.
  // Each item: a node and the keys [lo, hi) below it, which share their first `depth` bytes;
  // sorted, so a key of exactly that length comes first and the rest group by their next byte.
  std::vector<std::tuple<uint32_t, size_t, size_t, size_t>> work;
  nodes_.emplace_back();
  work.emplace_back(0, 0, keys.size(), 0);
  while (!work.empty()) {
    auto [index, lo, hi, depth] = work.back();
    work.pop_back();
    if (lo < hi && keys[lo].first.size() == depth) nodes_[index].value = keys[lo++].second;
    nodes_[index].children_begin = static_cast<uint32_t>(child_bytes_.size());
    for (size_t i = lo; i < hi;) {
      size_t j = i + 1;
      while (j < hi && keys[j].first[depth] == keys[i].first[depth]) ++j;
      const uint32_t child = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
      child_bytes_.push_back(static_cast<uint8_t>(keys[i].first[depth]));
      child_nodes_.push_back(child);
      work.emplace_back(child, i, j, depth + 1);
      i = j;
    }
    nodes_[index].children_end = static_cast<uint32_t>(child_bytes_.size());
  }
}

}  // namespace augsweep
