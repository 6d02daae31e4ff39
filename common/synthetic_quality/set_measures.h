// What a set of synthetic texts is like, against the real training texts it was made from:
// diversity (distinct-1 and distinct-2, mean pairwise Jaccard similarity), length, and how close
// each text comes to its nearest real text. Computed over WordTokens; standard library only.
#pragma once

#include <string>
#include <vector>

namespace augsweep {

struct SetMeasures {
  int texts = 0;
  // Distinct n-grams over all n-grams of the set (Li et al. 2016); 0 for an empty set.
  double distinct_1 = 0;
  double distinct_2 = 0;
  // Mean Jaccard similarity of the word sets of every pair of texts (of the first 2,000 texts:
  // the pairs grow quadratically); 0 with fewer than 2 texts.
  double mean_pairwise_jaccard = 0;
  double length_mean = 0;  // words
  double length_sd = 0;    // sample SD; 0 with fewer than 2 texts
  // Per synthetic text the Jaccard similarity of its word set with the closest real text's:
  // the mean, the median and 90th percentile (nearest rank), and the maximum.
  double nearest_real_mean = 0;
  double nearest_real_p50 = 0;
  double nearest_real_p90 = 0;
  double nearest_real_max = 0;
};

SetMeasures MeasureSet(const std::vector<std::string>& synthetic,
                       const std::vector<std::string>& real);

}  // namespace augsweep
