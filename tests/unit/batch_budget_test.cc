// The generate executor's batch size from free memory (worker/executors/batch_budget.h).
#include "worker/executors/batch_budget.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace augsweep {
namespace {

TEST(BatchBudgetTest, KvCachesOfALlama7bShapeOnAnH100) {
  // LLaMA-7B in bf16: 32 layers x 32 KV heads x 128 dims x 2 bytes, K and V.
  BatchShape shape;
  shape.kv_bytes_per_token = 2 * 32 * 32 * 128 * 2;  // 512 KiB
  shape.tokens_per_sequence = 400 + 128;
  shape.vocab_size = 32000;
  const int64_t free = int64_t{60} << 30;  // after 13.5 GB of weights on an 80 GB card
  // 70% of 60 GiB over 264 MiB + 768 KB per sequence.
  const int64_t per_sequence = shape.kv_bytes_per_token * 528 + 32000 * 24;
  EXPECT_EQ(BatchForMemory(shape, free), static_cast<int>(free / 10 * 7 / per_sequence));
  EXPECT_GT(BatchForMemory(shape, free), 100);
  // Twice the tokens per sequence: about half the batch.
  shape.tokens_per_sequence *= 2;
  EXPECT_NEAR(BatchForMemory(shape, free), static_cast<int>(free / 10 * 7 / per_sequence) / 2, 1);
}

TEST(BatchBudgetTest, AtLeastOneAtMostTheCapAndADefaultWhenUnknown) {
  BatchShape tiny{64, 100, 512};
  EXPECT_EQ(BatchForMemory(tiny, int64_t{1} << 40), kMaxBatch);
  BatchShape huge{int64_t{1} << 30, 4096, 128000};
  EXPECT_EQ(BatchForMemory(huge, int64_t{1} << 30), 1) << "never 0: one sequence is tried";
  EXPECT_EQ(BatchForMemory(tiny, 0), kDefaultBatch);
  EXPECT_EQ(BatchForMemory(tiny, -5), kDefaultBatch);
}

TEST(BatchBudgetTest, CpuFreeMemoryIsReadAndCapped) {
  const int64_t free = FreeMemoryBytes("cpu");
  EXPECT_GT(free, 0) << "/proc/meminfo has MemAvailable on Linux";
  EXPECT_LE(free, kMaxCpuBatchBytes);
}

TEST(BatchBudgetTest, OutOfMemoryHalvesTheBatchUntilItFits) {
  std::vector<int> tried;
  std::vector<std::pair<int, int>> retries;
  auto fits_at_most_20 = [&](int batch) -> StatusOr<int> {
    tried.push_back(batch);
    if (batch > 20) return ResourceExhaustedError("out of memory");
    return batch;
  };
  auto log = [&](int from, int to) { retries.emplace_back(from, to); };
  StatusOr<int> got = RunHalvingOnOutOfMemory(100, fits_at_most_20, log);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 12);
  EXPECT_EQ(tried, (std::vector<int>{100, 50, 25, 12}));
  EXPECT_EQ(retries.size(), 3u);
  // Other errors are not retried; at batch 1 the out-of-memory error is returned.
  tried.clear();
  auto invalid = [&](int batch) -> StatusOr<int> {
    tried.push_back(batch);
    return InvalidArgumentError("bad prompt");
  };
  EXPECT_EQ(RunHalvingOnOutOfMemory(64, invalid, log).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(tried.size(), 1u);
  auto never = [&](int) -> StatusOr<int> { return ResourceExhaustedError("out of memory"); };
  EXPECT_EQ(RunHalvingOnOutOfMemory(4, never, log).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace augsweep
