// Tests for worker/runtime/cpu_linear: SmallBatchLinear against at::linear for shapes that hit
// every kernel variant (1..4 weight rows per block, 1..6 rows of x per pass, K not a multiple of
// the vector width), for each instruction set this CPU has, and the cases where it must decline.
#include "worker/runtime/cpu_linear.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/randn.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace augsweep::llama_internal {
namespace {

// Largest |a - b| relative to the largest |b| (at least 1).
double RelativeError(const at::Tensor& a, const at::Tensor& b) {
  const double scale = std::max(1.0, b.abs().max().item().toDouble());
  return a.sub(b).abs().max().item().toDouble() / scale;
}

class CpuLinearTest : public ::testing::TestWithParam<CpuLinearIsa> {
 protected:
  // The kernel for GetParam(), or skips the test when this CPU lacks it.
  at::Tensor Run(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias) {
    return SmallBatchLinear(x, w, bias, GetParam());
  }
  bool Available() {
    at::Tensor probe =
        SmallBatchLinear(at::randn({1, 8}), at::randn({4, 8}), at::Tensor(), GetParam());
    return probe.defined();
  }
};

TEST_P(CpuLinearTest, MatchesLinearOnEveryBlockShape) {
  if (!Available()) GTEST_SKIP() << "this CPU lacks the instruction set";
  c10::InferenceMode inference;
  at::manual_seed(3);
  for (int64_t m : {1, 2, 3, 4, 5, 6, 7, 8, 13, 32, 64}) {
    for (int64_t n : {1, 3, 4, 5, 8, 13, 64}) {
      for (int64_t k : {1, 7, 8, 9, 16, 33, 100}) {
        const at::Tensor x = at::randn({m, k}), w = at::randn({n, k}), b = at::randn({n});
        SCOPED_TRACE("m=" + std::to_string(m) + " n=" + std::to_string(n) +
                     " k=" + std::to_string(k));
        const at::Tensor y = Run(x, w, at::Tensor());
        ASSERT_TRUE(y.defined());
        ASSERT_EQ(y.sizes(), (std::vector<int64_t>{m, n}));
        EXPECT_LT(RelativeError(y, at::linear(x, w)), 1e-5);
        EXPECT_LT(RelativeError(Run(x, w, b), at::linear(x, w, b)), 1e-5);
      }
    }
  }
}

// A LLaMA-sized matrix split over several threads gives the same rows as one thread would.
TEST_P(CpuLinearTest, MatchesLinearOnLargeMatricesWithThreads) {
  if (!Available()) GTEST_SKIP() << "this CPU lacks the instruction set";
  c10::InferenceMode inference;
  at::manual_seed(4);
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  const at::Tensor w = at::randn({2304, 768}).mul_(0.02);
  for (int64_t m : {1, 8, 17}) {
    const at::Tensor x = at::randn({m, 768});
    EXPECT_LT(RelativeError(Run(x, w, at::Tensor()), at::linear(x, w)), 1e-5) << "m=" << m;
  }
  at::set_num_threads(threads);
}

TEST_P(CpuLinearTest, DeclinesWhatItDoesNotHandle) {
  if (!Available()) GTEST_SKIP() << "this CPU lacks the instruction set";
  c10::InferenceMode inference;
  const at::Tensor w = at::randn({16, 32});
  // Too many rows for the kernel, or an x too large for L2: BLAS is faster there.
  EXPECT_FALSE(Run(at::randn({kSmallBatchMaxRows + 1, 32}), w, at::Tensor()).defined());
  EXPECT_FALSE(Run(at::randn({8, kSmallBatchMaxInputBytes / 4 / 8 + 1}),
                   at::randn({4, kSmallBatchMaxInputBytes / 4 / 8 + 1}), at::Tensor())
                   .defined());
  // Other dtypes, strides and shapes.
  EXPECT_FALSE(Run(at::randn({2, 32}).to(at::kDouble), w.to(at::kDouble), at::Tensor()).defined());
  EXPECT_FALSE(
      Run(at::randn({2, 32}).to(at::kBFloat16), w.to(at::kBFloat16), at::Tensor()).defined());
  EXPECT_FALSE(Run(at::randn({32, 2}).t(), w, at::Tensor()).defined());  // not contiguous
  EXPECT_FALSE(Run(at::randn({2, 31}), w, at::Tensor()).defined());      // K mismatch
  EXPECT_FALSE(Run(at::randn({2, 2, 32}), w, at::Tensor()).defined());   // not 2-D
  EXPECT_FALSE(Run(at::randn({2, 32}), w, at::randn({15})).defined());   // bias size
  EXPECT_TRUE(Run(at::randn({kSmallBatchMaxRows, 32}), w, at::Tensor()).defined());
}

INSTANTIATE_TEST_SUITE_P(Isa, CpuLinearTest,
                         ::testing::Values(CpuLinearIsa::kAvx2, CpuLinearIsa::kAvx512),
                         [](const ::testing::TestParamInfo<CpuLinearIsa>& test) {
                           return std::string(test.param == CpuLinearIsa::kAvx2 ? "Avx2"
                                                                                : "Avx512");
                         });

}  // namespace
}  // namespace augsweep::llama_internal
