#include "worker/runtime/sampling.h"

namespace augsweep {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

SequenceRng::SequenceRng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = SplitMix64(state);
}

uint64_t SequenceRng::Next() {
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

double SequenceRng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

size_t DrawFromProbabilities(std::span<const float> probs, double u) {
  double total = 0;
  size_t last_positive = 0;
  bool any = false;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] > 0) {
      total += probs[i];
      last_positive = i;
      any = true;
    }
  }
  if (!any) return 0;
  const double target = u * total;
  double cumulative = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (!(probs[i] > 0)) continue;
    cumulative += probs[i];
    if (target < cumulative) return i;
  }
  return last_positive;  // u * total rounded up to total
}

}  // namespace augsweep
