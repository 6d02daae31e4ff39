// worker/runtime's error boundary (torch_guard.h): what libtorch throws becomes a Status with the
// right code, and the body's own Status or value passes through unchanged.
#include "worker/runtime/torch_guard.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

namespace augsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TorchGuardTest, AnAllocationFarTooLargeIsResourceExhausted) {
  // 4 TiB of float32: more than any machine here has; libtorch's CPU allocator throws c10::Error.
  Status status = GuardTorch("Forward", [] {
    at::Tensor huge = at::empty({int64_t{1} << 40}, at::kFloat);
    huge.fill_(1);
    return OkStatus();
  });
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("Forward: out of memory"));
}

TEST(TorchGuardTest, AFailedOpIsInternalWithItsMessageAndNoBacktrace) {
  StatusOr<int64_t> result = GuardTorch("LossAndGradients", []() -> StatusOr<int64_t> {
    at::Tensor product = at::matmul(at::ones({2, 3}), at::ones({4, 5}));
    return product.numel();
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("LossAndGradients: "));
  EXPECT_THAT(result.status().message(), HasSubstr("cannot be multiplied"));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("Exception raised from")));
}

TEST(TorchGuardTest, StandardExceptionsAreMappedToo) {
  Status bad_alloc = GuardTorch("Load", []() -> Status { throw std::bad_alloc(); });
  EXPECT_EQ(bad_alloc.code(), StatusCode::kResourceExhausted);
  Status other = GuardTorch("Load", []() -> Status { throw std::runtime_error("disk gone"); });
  EXPECT_EQ(other.code(), StatusCode::kInternal);
  EXPECT_EQ(other.message(), "Load: disk gone");
  Status unknown = GuardTorch("Load", []() -> Status { throw 42; });
  EXPECT_EQ(unknown.code(), StatusCode::kInternal);
}

TEST(TorchGuardTest, TheBodysOwnResultPassesThrough) {
  StatusOr<int> value = GuardTorch("op", []() -> StatusOr<int> { return 7; });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Status error = GuardTorch("op", [] { return NotFoundError("no such tensor"); });
  EXPECT_EQ(error.code(), StatusCode::kNotFound);
  EXPECT_EQ(error.message(), "no such tensor");
}

}  // namespace
}  // namespace augsweep
