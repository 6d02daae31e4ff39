// worker/runtime/cuda_memory.h: the GPU's free memory, or a clear Unavailable where there is no
// CUDA driver (these CPU machines).
#include "worker/runtime/cuda_memory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace augsweep {
namespace {

using ::testing::HasSubstr;

TEST(CudaMemoryTest, FreeMemoryOrAReasonWhyNot) {
  StatusOr<int64_t> free_mb = CudaFreeMemoryMb(0);
  if (access("/dev/nvidiactl", F_OK) != 0) {
    // No GPU here: the driver is absent (or has no device to show).
    ASSERT_FALSE(free_mb.ok());
    EXPECT_EQ(free_mb.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(free_mb.status().message(), HasSubstr("CUDA"));
  } else {
    ASSERT_TRUE(free_mb.ok()) << free_mb.status().ToString();
    EXPECT_GT(*free_mb, 0);
  }
  // A device that does not exist is an error, never a number.
  EXPECT_FALSE(CudaFreeMemoryMb(4096).ok());
}

}  // namespace
}  // namespace augsweep
