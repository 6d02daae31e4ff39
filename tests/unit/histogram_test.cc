#include "common/metrics/histogram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace augsweep {
namespace {

using ::testing::ElementsAre;

// Prometheus buckets are "less than or equal": a value on a bound counts in that bound's bucket.
TEST(HistogramTest, CountsAtOrBelowEachBoundCumulatively) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 3.0, 100.0}) h.Observe(v);
  EXPECT_THAT(h.CumulativeCounts(), ElementsAre(2u, 4u, 5u, 6u));
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.05 + 0.1 + 0.5 + 1.0 + 3.0 + 100.0);
}

TEST(HistogramTest, EmptyAndDefaultBuckets) {
  Histogram h(LatencyBucketsSeconds());
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.CumulativeCounts().size(), LatencyBucketsSeconds().size() + 1);
  for (uint64_t c : h.CumulativeCounts()) EXPECT_EQ(c, 0u);
  for (const auto& bounds : {LatencyBucketsSeconds(), JobBucketsSeconds()}) {
    for (size_t i = 1; i < bounds.size(); ++i) EXPECT_LT(bounds[i - 1], bounds[i]);
  }
}

}  // namespace
}  // namespace augsweep
