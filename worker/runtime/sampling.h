// The CPU end of token sampling: a small seeded PRNG owned by each sequence, and the draw of one
// token from a list of probabilities. Written by hand (not std::*_distribution, whose results
// differ between standard libraries) so a seed gives the same text on every machine, and one per
// sequence so that a sequence's draws do not depend on which other sequences share its batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace augsweep {

// xoshiro256** (Blackman & Vigna), its state filled from the seed by splitmix64 as the authors
// recommend. Not thread-safe; cheap to copy.
class SequenceRng {
 public:
  explicit SequenceRng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();

 private:
  uint64_t s_[4];
};

// The index i drawn with probability probs[i] / sum(probs) by inverting the cumulative sum at
// u * sum (u in [0, 1)), summing in double so the result does not depend on float rounding order.
// Entries <= 0 (and NaN) are never drawn. Returns 0 if no entry is positive.
size_t DrawFromProbabilities(std::span<const float> probs, double u);

}  // namespace augsweep
