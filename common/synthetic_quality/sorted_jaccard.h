// The Jaccard similarity of two sets held as sorted vectors of distinct values, shared by the
// measures and the near-duplicate filter. Two empty sets are the same set (1).
#pragma once

#include <cstddef>
#include <vector>

namespace augsweep {

template <typename T>
double SortedJaccard(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.empty() && b.empty()) return 1;
  size_t common = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++common, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace augsweep
