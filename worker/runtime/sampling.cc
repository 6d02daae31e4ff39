#include "worker/runtime/sampling.h"

namespace augsweep {

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
