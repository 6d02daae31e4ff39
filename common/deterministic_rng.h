// A small seeded pseudo-random generator whose output is identical on every platform and standard
// library: fold assignments, EDA edits, token sampling (one per sequence) and the fine-tuning
// batch order must be reproducible from their seeds anywhere; std::uniform_int_distribution and
// std::shuffle are implementation-defined, so they are not used. In augsweep_base, so that
// worker/runtime (libtorch and the base library only) shares it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace augsweep {

// One step of SplitMix64 (Steele, Lea & Flood 2014): a good 64-bit mixer, used to expand a seed.
uint64_t SplitMix64(uint64_t& state);

// xoshiro256** (Blackman & Vigna 2018), seeded from a single uint64 through SplitMix64.
// Not thread-safe; each user owns its instance.
class DeterministicRng {
 public:
  explicit DeterministicRng(uint64_t seed);

  uint64_t Next();

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, bound); bound must be > 0. Rejection sampling, so there is no modulo
  // bias.
  uint64_t Below(uint64_t bound);

  // Fisher–Yates shuffle driven by Below().
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(Below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace augsweep
