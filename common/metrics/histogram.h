// A histogram of observations in fixed buckets, as Prometheus exposes them: per upper bound the
// count of observations at or below it (cumulative), plus their sum and count. Not synchronised:
// its owner locks.
#pragma once

#include <cstdint>
#include <vector>

namespace augsweep {

class Histogram {
 public:
  // `upper_bounds` ascending; +Inf is implied after the last.
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Observations <= each bound, in order, then every observation (the +Inf bucket).
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  std::vector<double> upper_bounds_;
  std::vector<uint64_t> bucket_counts_;  // per bound, not cumulative; then the overflow
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Buckets for latencies in seconds, 0.5 ms to 60 s.
std::vector<double> LatencyBucketsSeconds();
// Buckets for job durations in seconds, 0.1 s to 4 h.
std::vector<double> JobBucketsSeconds();

}  // namespace augsweep
