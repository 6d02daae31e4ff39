#include "common/deterministic_rng.h"

#include <cassert>

namespace augsweep {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

DeterministicRng::DeterministicRng(uint64_t seed) {
  uint64_t state = seed;
  // SplitMix64 never yields four zero words in a row, so the xoshiro state is never all zero.
  for (uint64_t& word : s_) word = SplitMix64(state);
}

static inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t DeterministicRng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t DeterministicRng::Below(uint64_t bound) {
  assert(bound > 0);
  // Values below `threshold` would make some residues more likely than others; 2^64 mod bound of
  // them.
  const uint64_t threshold = (0 - bound) % bound;
  uint64_t x;
  do {
    x = Next();
  } while (x < threshold);
  return x % bound;
}

}  // namespace augsweep
