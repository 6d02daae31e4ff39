// Exact and near-duplicate detection for synthetic texts, among themselves and against the real
// training texts: MinHash signatures of word-shingle sets, banded into LSH buckets to find
// candidate pairs, each candidate then confirmed by the exact Jaccard similarity of the shingle
// sets. Deterministic for a seed; standard library only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace augsweep {

struct NearDuplicateOptions {
  double threshold = 0.7;  // shingle-set Jaccard at or above which two texts are duplicates
  int shingle_words = 2;   // words per shingle (a shorter text is one shingle of all its words)
  int permutations = 128;  // MinHash functions
  int bands = 32;          // LSH bands (permutations / bands rows each)
  uint64_t seed = 0x5eed;
};

struct DuplicateVerdict {
  bool duplicate = false;
  bool of_real = false;  // a duplicate of a real text (else of an earlier kept synthetic text)
  int of_index = -1;     // which one
  double similarity = 0;
};

// For each text in order: whether it duplicates a real text or an earlier text that was kept
// (the first of a group stays, so the generation order decides). Exact duplicates (the same
// words) have similarity 1; an empty text duplicates only another empty one.
std::vector<DuplicateVerdict> FindNearDuplicates(const std::vector<std::string>& texts,
                                                 const std::vector<std::string>& real,
                                                 const NearDuplicateOptions& options = {});

// The exact Jaccard similarity of two texts' shingle sets (what FindNearDuplicates confirms).
double ShingleJaccard(const std::string& a, const std::string& b, int shingle_words = 2);

}  // namespace augsweep
