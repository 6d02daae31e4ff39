// The CPU end of token sampling: a seeded PRNG owned by each sequence, and the draw of one token
// from a list of probabilities. Portable (not std::*_distribution, whose results differ between
// standard libraries) so a seed gives the same text on every machine, and one per sequence so
// that a sequence's draws do not depend on which other sequences share its batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/deterministic_rng.h"

namespace augsweep {

// Each sequence's own sampler: xoshiro256** seeded through SplitMix64 (common/deterministic_rng.h).
using SequenceRng = DeterministicRng;

// The index i drawn with probability probs[i] / sum(probs) by inverting the cumulative sum at
// u * sum (u in [0, 1)), summing in double so the result does not depend on float rounding order.
// Entries <= 0 (and NaN) are never drawn. Returns 0 if no entry is positive.
size_t DrawFromProbabilities(std::span<const float> probs, double u);

}  // namespace augsweep
