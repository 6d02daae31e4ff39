// Internal to worker/runtime: y = x · wᵀ for the few rows of a decode step on the CPU.
//
// Why: batched decode multiplies a handful of rows (one per sequence) by every weight matrix.
// BLAS GEMMs are built for many rows: for 2..32 rows OpenBLAS packs the whole weight matrix on
// every call and reaches 6-7 GB/s of weight reads where the memory gives 20+, so batch-8 decode
// was no faster than batch-1 per sequence row. This kernel streams each weight row once from
// memory and multiplies it with all the rows of x while it is in registers/L1.
#pragma once

#include <ATen/core/Tensor.h>

namespace augsweep {
namespace llama_internal {

// The most rows SmallBatchLinear takes, and the most bytes of x: every block of weight rows
// re-reads all of x, which must stay in L2. (Measured against OpenBLAS 0.3.21 on 2 cores of a
// Zen 5 EPYC, float32, LLaMA-shaped matrices with K = 768..2048: 3.4x faster at 1 row, 4.4x at
// 8, 1.9x at 32, still 1.8x at 128.)
constexpr int64_t kSmallBatchMaxRows = 64;
constexpr int64_t kSmallBatchMaxInputBytes = int64_t{1} << 20;

// x [M, K] and w [N, K] float32 contiguous CPU tensors, bias [N] or undefined. Returns y [M, N],
// or an undefined tensor when the kernel does not apply (another dtype or device, M outside
// [1, kSmallBatchMaxRows], x over kSmallBatchMaxInputBytes, strides, or a CPU without AVX2 and
// FMA): then use at::linear.
// `isa` picks the kernel: kAuto the widest the CPU has (AUGSWEEP_CPU_LINEAR=blas in the
// environment: none; =avx2: not AVX-512); the others (for tests) that one, or none if the CPU
// lacks it.
enum class CpuLinearIsa { kAuto, kAvx2, kAvx512 };
at::Tensor SmallBatchLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias,
                            CpuLinearIsa isa = CpuLinearIsa::kAuto);

}  // namespace llama_internal
}  // namespace augsweep
