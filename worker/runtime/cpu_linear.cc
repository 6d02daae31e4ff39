// SmallBatchLinear: y[M, N] = x[M, K] · w[N, K]ᵀ (+ bias) for small M, in float32 on the CPU.
//
// The weights are read once, in blocks of kRows rows; each block is multiplied with every row of
// x (a few rows per pass, as many as the vector registers hold accumulators for) while it sits
// in L1, and the next block is prefetched meanwhile. So the memory traffic is the weight matrix
// once, plus x from cache, and the arithmetic runs as FMAs on 8 (AVX2) or 16 (AVX-512) lanes.
// The work is split over output rows with at::parallel_for (torch's intra-op threads).
//
// Each kernel is compiled for its instruction set with a target attribute and chosen at run
// time, so the library runs on any x86-64 (and builds elsewhere): without AVX2 and FMA
// SmallBatchLinear declines. AUGSWEEP_CPU_LINEAR=blas in the environment makes it decline too
// (to compare with BLAS); AUGSWEEP_CPU_LINEAR=avx2 keeps it off AVX-512.
#include "worker/runtime/cpu_linear.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "common/tunables.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AUGSWEEP_HAVE_AVX2_KERNEL 1
#endif

namespace augsweep {
namespace llama_internal {
namespace {

#ifdef AUGSWEEP_HAVE_AVX2_KERNEL

constexpr int kRows = 4;  // weight rows per block (outputs n .. n+3)

// Both kernels below compute, for r < R and c < C,
//   y[c * ldy + r] = sum_k w[r * k_len + k] * x[c * k_len + k]
// with R x C vector accumulators. If `next` is given, the kRows weight rows starting there (the
// next block's) are prefetched meanwhile: a block's first pass streams its rows from memory and
// the later passes (more rows of x) run from L1, and without the prefetch the memory would sit
// idle during those; with it, loading and arithmetic overlap (2x at 8 rows).

// AVX2 + FMA: 16 vector registers: 4 x 3 accumulators, 3 rows of x, one weight vector.
constexpr int kColsAvx2 = 3;

__attribute__((target("avx2,fma"))) inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <int R, int C>
__attribute__((target("avx2,fma"))) void BlockAvx2(const float* w, const float* x, int64_t k_len,
                                                   float* y, int64_t ldy, const float* next) {
  __m256 acc[R][C];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 8 <= k_len; k += 8) {
    if (next != nullptr && (k & 15) == 0) {  // one prefetch per 64-byte line
#pragma GCC unroll 4
      for (int r = 0; r < kRows; ++r) {
        _mm_prefetch(reinterpret_cast<const char*>(next + r * k_len + k), _MM_HINT_T0);
      }
    }
    __m256 xv[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) xv[c] = _mm256_loadu_ps(x + c * k_len + k);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m256 wv = _mm256_loadu_ps(w + r * k_len + k);
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) acc[r][c] = _mm256_fmadd_ps(wv, xv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) {
      float sum = HorizontalSum(acc[r][c]);
      for (int64_t kk = k; kk < k_len; ++kk) sum += w[r * k_len + kk] * x[c * k_len + kk];
      y[c * ldy + r] = sum;
    }
  }
}

// AVX-512: 32 registers: 4 x 6 accumulators, 6 rows of x, one weight vector; twice the lanes.
constexpr int kColsAvx512 = 6;

template <int R, int C>
__attribute__((target("avx512f,avx2,fma"))) void BlockAvx512(const float* w, const float* x,
                                                             int64_t k_len, float* y, int64_t ldy,
                                                             const float* next) {
  __m512 acc[R][C];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 6
    for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 16 <= k_len; k += 16) {
    if (next != nullptr) {
#pragma GCC unroll 4
      for (int r = 0; r < kRows; ++r) {
        _mm_prefetch(reinterpret_cast<const char*>(next + r * k_len + k), _MM_HINT_T0);
      }
    }
    __m512 xv[C];
#pragma GCC unroll 6
    for (int c = 0; c < C; ++c) xv[c] = _mm512_loadu_ps(x + c * k_len + k);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m512 wv = _mm512_loadu_ps(w + r * k_len + k);
#pragma GCC unroll 6
      for (int c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(wv, xv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) {
      // Through memory: GCC 12's _mm512_reduce_add_ps and lane extracts use an "undefined"
      // vector that trips -Wuninitialized, and this runs once per block, not per k.
      alignas(64) float lanes[16];
      _mm512_store_ps(lanes, acc[r][c]);
      float sum = 0;
      for (float lane : lanes) sum += lane;
      for (int64_t kk = k; kk < k_len; ++kk) sum += w[r * k_len + kk] * x[c * k_len + kk];
      y[c * ldy + r] = sum;
    }
  }
}

using BlockFn = void (*)(const float*, const float*, int64_t, float*, int64_t, const float*);

// The kernel for a block of `rows` weight rows (1..kRows) and `cols` rows of x (1..max_cols).
template <int R>
BlockFn PickCols(bool avx512, int64_t cols) {
  if (avx512) {
    switch (cols) {
      case 1:
        return &BlockAvx512<R, 1>;
      case 2:
        return &BlockAvx512<R, 2>;
      case 3:
        return &BlockAvx512<R, 3>;
      case 4:
        return &BlockAvx512<R, 4>;
      case 5:
        return &BlockAvx512<R, 5>;
      default:
        return &BlockAvx512<R, 6>;
    }
  }
  switch (cols) {
    case 1:
      return &BlockAvx2<R, 1>;
    case 2:
      return &BlockAvx2<R, 2>;
    default:
      return &BlockAvx2<R, 3>;
  }
}

BlockFn PickBlock(bool avx512, int64_t rows, int64_t cols) {
  switch (rows) {
    case 1:
      return PickCols<1>(avx512, cols);
    case 2:
      return PickCols<2>(avx512, cols);
    case 3:
      return PickCols<3>(avx512, cols);
    default:
      return PickCols<4>(avx512, cols);
  }
}

enum class Isa { kNone, kAvx2, kAvx512 };

Isa CpuIsa() {
  static const Isa isa = [] {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Isa::kNone;
    return __builtin_cpu_supports("avx512f") ? Isa::kAvx512 : Isa::kAvx2;
  }();
  return isa;
}

Isa ChooseIsa(CpuLinearIsa wanted) {
  const Isa cpu = CpuIsa();
  switch (wanted) {
    case CpuLinearIsa::kAvx2:
      return cpu == Isa::kNone ? Isa::kNone : Isa::kAvx2;
    case CpuLinearIsa::kAvx512:
      return cpu == Isa::kAvx512 ? Isa::kAvx512 : Isa::kNone;
    case CpuLinearIsa::kAuto:
      break;
  }
  static const Isa automatic = [cpu] {
    const std::string& choice = GetTunables().cpu_linear;
    if (choice == "blas") return Isa::kNone;
    if (choice == "avx2" && cpu == Isa::kAvx512) return Isa::kAvx2;
    return cpu;
  }();
  return automatic;
}

#endif  // AUGSWEEP_HAVE_AVX2_KERNEL

}  // namespace

at::Tensor SmallBatchLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias,
                            CpuLinearIsa wanted) {
#ifdef AUGSWEEP_HAVE_AVX2_KERNEL
  const Isa isa = ChooseIsa(wanted);
  if (isa == Isa::kNone || !x.is_cpu() || !w.is_cpu() || x.scalar_type() != at::kFloat ||
      w.scalar_type() != at::kFloat || x.dim() != 2 || w.dim() != 2 || x.size(1) != w.size(1) ||
      x.size(0) < 1 || x.size(0) > kSmallBatchMaxRows || x.size(1) < 1 ||
      x.numel() * 4 > kSmallBatchMaxInputBytes || !x.is_contiguous() || !w.is_contiguous() ||
      (bias.defined() &&
       (bias.scalar_type() != at::kFloat || !bias.is_contiguous() || bias.numel() != w.size(0)))) {
    return at::Tensor();
  }
  const int64_t m = x.size(0), k_len = x.size(1), n = w.size(0);
  at::Tensor y = at::empty({m, n}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* wp = w.data_ptr<float>();
  const float* bp = bias.defined() ? bias.data_ptr<float>() : nullptr;
  float* yp = y.data_ptr<float>();
  const bool avx512 = isa == Isa::kAvx512;
  // Passes over each block: as few as the registers allow, of balanced sizes (8 rows of x on
  // AVX-512: 4 + 4, not 6 + 2).
  const int64_t max_cols = avx512 ? kColsAvx512 : kColsAvx2;
  const int64_t passes = (m + max_cols - 1) / max_cols;
  const int64_t pass_cols = (m + passes - 1) / passes;
  const int64_t blocks = (n + kRows - 1) / kRows;
  // About 64 KB of weights per task at least, so small matrices do not pay for threads.
  const int64_t grain = std::max<int64_t>(1, (64 << 10) / (kRows * k_len * 4));
  at::parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t n0 = b * kRows, rows = std::min<int64_t>(kRows, n - n0);
      // The next block's rows are complete unless it is the tail (then not prefetched).
      const float* next = n0 + 2 * kRows <= n ? wp + (n0 + kRows) * k_len : nullptr;
      for (int64_t m0 = 0; m0 < m; m0 += pass_cols) {
        const int64_t cols = std::min<int64_t>(pass_cols, m - m0);
        PickBlock(avx512, rows, cols)(wp + n0 * k_len, xp + m0 * k_len, k_len, yp + m0 * n + n0, n,
                                      m0 == 0 ? next : nullptr);
      }
      if (bp != nullptr) {
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t r = 0; r < rows; ++r) yp[i * n + n0 + r] += bp[n0 + r];
        }
      }
    }
  });
  return y;
#else
  (void)x, (void)w, (void)bias, (void)wanted;
  return at::Tensor();
#endif
}

}  // namespace llama_internal
}  // namespace augsweep
